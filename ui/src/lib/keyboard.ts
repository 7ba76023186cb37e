// The window's keyboard shortcuts, as pure functions of the key event so they are tested
// without a window.

type KeyLike = Pick<KeyboardEvent, "key" | "altKey" | "ctrlKey" | "metaKey" | "shiftKey"> & {
  target?: EventTarget | null;
};

/** Alt+N or Ctrl+N (N = 1…9): the Nth section. */
export function pageForKey<P extends string>(event: KeyLike, pages: readonly P[]): P | null {
  if (!(event.altKey || event.ctrlKey || event.metaKey) || event.shiftKey) return null;
  if (!/^[1-9]$/.test(event.key)) return null;
  return pages[Number(event.key) - 1] ?? null;
}

function typing(target: EventTarget | null | undefined): boolean {
  const element = target as HTMLElement | null | undefined;
  if (!element || typeof element.tagName !== "string") return false;
  return ["INPUT", "TEXTAREA", "SELECT"].includes(element.tagName) || element.isContentEditable === true;
}

const SEARCH_FIELDS: Record<string, string> = { leads: "lead-search", conversations: "chat-search" };

/** "/" (when not typing) or Ctrl/Cmd+F: the id of the page's search field. */
export function searchFieldFor(event: KeyLike, page: string): string | null {
  const field = SEARCH_FIELDS[page];
  if (!field) return null;
  if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "f") return field;
  if (event.key === "/" && !event.ctrlKey && !event.altKey && !event.metaKey && !typing(event.target)) return field;
  return null;
}
