// A linked number as the window gets it, for component tests; `over` changes any field.
import type { WaNumber } from "../lib/bindings";

export function aNumber(over: Partial<WaNumber> = {}): WaNumber {
  return {
    id: 1,
    name: "Shop",
    waId: "34600000000@c.us",
    linkState: "linked",
    createdAt: 0,
    chatCount: 0,
    leadCount: 0,
    waVersion: "2.3000.1045818043",
    waVersionTested: true,
    waMissingFeatures: [],
    limits: { timelocked: false, timelockEndsAt: null, capped: false },
    ...over,
  };
}
