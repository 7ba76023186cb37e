import { mount } from "svelte";
import App from "./App.svelte";
import "./app.css";
import { i18n } from "./lib/i18n/index.svelte";

// The computer's language until the owner's choice is read from the settings.
i18n.use(null);

const target = document.getElementById("app");
if (target) mount(App, { target });
