import type { Key } from "./en";
import spanish from "./es.json";

export const es: Record<Key, string> = spanish;
