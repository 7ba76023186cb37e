import type { Theme } from "../bindings";

/** Applies the theme to the page; "system" follows the OS through CSS media queries. */
export function applyTheme(theme: Theme): void {
  document.documentElement.dataset.theme = theme;
}
