/**
 * "MB" in BPTT Lens is a mebibyte, 2²⁰ bytes, everywhere: VS Code counts its 50 MB limit for
 * syncing a file to extensions this way, so a size shown to the user and that limit agree. Pure.
 */
export const MB = 1024 * 1024;

/** A byte count for people: `formatMB(64 * MB)` → "64 MB", `formatMB(3200 * MB)` → "3,200 MB". */
export function formatMB(bytes: number): string {
  return `${Math.round(bytes / MB).toLocaleString('en-US')} MB`;
}
