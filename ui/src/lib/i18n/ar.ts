import type { Key } from "./en";
import arabic from "./ar.json";

export const ar: Record<Key, string> = arabic;
