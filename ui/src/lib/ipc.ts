// Typed access to the Rust side: every command and event is checked against the bindings
// generated from the Rust types (lib/bindings.ts).
import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import type { Commands, CoreEvent, EventPayload, IpcError } from "./bindings";
import { say, t } from "./i18n/index.svelte";

export function isIpcError(value: unknown): value is IpcError {
  return (
    typeof value === "object" &&
    value !== null &&
    "code" in value &&
    "message" in value &&
    typeof (value as { message: unknown }).message === "string"
  );
}

/** Anything thrown at the IPC boundary, as an IpcError the UI can show: its `message` in
 *  the owner's language. */
export function asIpcError(error: unknown): IpcError {
  if (isIpcError(error)) {
    return error.text ? { ...error, message: say(error.text) } : error;
  }
  const message = t("ipc.unreachable", { error: String(error) });
  return { code: "internal", message, path: null, text: { key: "", args: {}, english: message } };
}

export async function call<K extends keyof Commands>(
  command: K,
  args: Commands[K]["args"],
): Promise<Commands[K]["result"]> {
  try {
    // A file goes as the raw body, untouched (its bytes are decoded in Rust, in whatever
    // encoding the file is written in), and the other arguments as JSON in a header.
    if ("file" in args && args.file instanceof Uint8Array) {
      const { file, ...rest } = args;
      return await invoke<Commands[K]["result"]>(command, file, {
        headers: { "leadline-args": JSON.stringify(rest) },
      });
    }
    return await invoke<Commands[K]["result"]>(command, args);
  } catch (error) {
    throw asIpcError(error);
  }
}

export function on<N extends CoreEvent["type"]>(
  name: N,
  handler: (payload: EventPayload<N>) => void,
): Promise<UnlistenFn> {
  return listen<EventPayload<N>>(name, (event) => handler(event.payload));
}
