import type { Key } from "./en";
import portuguese from "./pt.json";

export const pt: Record<Key, string> = portuguese;
