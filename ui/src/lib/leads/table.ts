// The Leads table's arithmetic, kept apart from the components so it is tested on its own:
// which rows are on screen, which pages must be fetched for them, and the request for a
// filter. Only the rows near the viewport exist in the page (a virtualised table), so
// 100,000 leads scroll like 100.
import type { LeadFilter, LeadPageRequest, LeadSort, LeadSummary, QualifiedLead } from "../bindings";

export const ROW_HEIGHT = 44;
export const PAGE_SIZE = 100;
/** Rows rendered above and below the viewport, so a fast scroll doesn't show blanks. */
export const OVERSCAN = 10;

export const STAGES = ["new", "engaged", "qualified", "won", "lost"] as const;
export type Stage = (typeof STAGES)[number];

/** The owner's filter as the form holds it (dates as yyyy-mm-dd, local). */
export type FilterForm = {
  numberId: number | null;
  stages: Stage[];
  minScore: number | null;
  qualifiedFrom: string;
  qualifiedUntil: string;
  search: string;
};

export function emptyFilter(): FilterForm {
  return { numberId: null, stages: [], minScore: null, qualifiedFrom: "", qualifiedUntil: "", search: "" };
}

export function isFiltered(form: FilterForm): boolean {
  const empty = emptyFilter();
  return (
    form.numberId !== empty.numberId ||
    form.stages.length > 0 ||
    form.minScore !== null ||
    form.qualifiedFrom !== "" ||
    form.qualifiedUntil !== "" ||
    form.search.trim() !== ""
  );
}

/** Local midnight of a yyyy-mm-dd date as unix ms; `null` for an empty or bad date. */
export function localDayStart(date: string): number | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) return null;
  const day = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  return Number.isNaN(day.getTime()) ? null : day.getTime();
}

export function toFilter(form: FilterForm): LeadFilter {
  const until = localDayStart(form.qualifiedUntil);
  return {
    numberId: form.numberId,
    stages: [...form.stages],
    minScore: form.minScore === null ? null : Math.max(0, Math.min(100, Math.round(form.minScore))),
    qualifiedFromMs: localDayStart(form.qualifiedFrom),
    // "Until" includes that whole day.
    qualifiedUntilMs: until === null ? null : until + 86_400_000,
    search: form.search.trim(),
  };
}

export function pageRequest(
  form: FilterForm,
  sort: LeadSort,
  descending: boolean,
  page: number,
): LeadPageRequest {
  return { filter: toFilter(form), sort, descending, offset: page * PAGE_SIZE, limit: PAGE_SIZE };
}

/** The rows to render for a scroll position: [first, last) with overscan, within total. */
export function visibleRange(
  scrollTop: number,
  viewportHeight: number,
  total: number,
  rowHeight = ROW_HEIGHT,
  overscan = OVERSCAN,
): [number, number] {
  if (total <= 0) return [0, 0];
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(total, Math.ceil((scrollTop + viewportHeight) / rowHeight) + overscan);
  return [Math.min(first, last), last];
}

/** The pages holding rows [first, last). */
export function pagesFor(first: number, last: number, pageSize = PAGE_SIZE): number[] {
  if (last <= first) return [];
  const pages: number[] = [];
  for (let page = Math.floor(first / pageSize); page <= Math.floor((last - 1) / pageSize); page++) {
    pages.push(page);
  }
  return pages;
}

/** Clicking a column: the same column flips the direction; another starts at its natural one. */
export function nextSort(current: LeadSort, descending: boolean, clicked: LeadSort): [LeadSort, boolean] {
  if (current === clicked) return [clicked, !descending];
  return [clicked, clicked !== "name"];
}

/** The row a key press moves to, or `null` when the key isn't a movement. */
export function moveRow(key: string, index: number | null, total: number, pageRows: number): number | null {
  if (total === 0) return null;
  const at = index ?? -1;
  const to = (() => {
    switch (key) {
      case "ArrowDown": return at + 1;
      case "ArrowUp": return at - 1;
      case "PageDown": return at + pageRows;
      case "PageUp": return at - pageRows;
      case "Home": return 0;
      case "End": return total - 1;
      default: return null;
    }
  })();
  return to === null ? null : Math.max(0, Math.min(total - 1, to));
}

/** A lead that just qualified, shown at once from the event's own payload: its row, if
 *  loaded, takes the stage, score, reason, name, phone and fields the event carries (the
 *  next refresh reorders the table). Returns whether a row changed. */
export function patchQualified(pages: Map<number, LeadSummary[]>, lead: QualifiedLead): boolean {
  for (const rows of pages.values()) {
    const at = rows.findIndex((row) => row.id === lead.leadId);
    if (at < 0) continue;
    const row = rows[at]!;
    rows[at] = {
      ...row,
      stage: row.stage === "won" || row.stage === "lost" ? row.stage : "qualified",
      score: lead.score,
      reason: lead.reason,
      name: lead.name ?? row.name,
      phone: lead.phone ?? row.phone,
      fields: lead.fields.length ? lead.fields : row.fields,
    };
    return true;
  }
  return false;
}
