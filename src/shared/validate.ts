/**
 * The host's side of the webview protocol (protocol.ts): what it accepts from the webview, which
 * it never trusts. `validateWebviewMessage` checks every field of every message and never throws;
 * `readPersistedState` reads the state a webview stored. Pure: no `vscode`, no DOM.
 */
import { MB } from './mb';
import type { PersistedState, StoredState, WebviewToHostMessage } from './protocol';

export const PNG_DATA_URL_PREFIX = 'data:image/png;base64,';
/** Base64 of a PNG of three full-HD charts stays far below this; anything larger is refused. */
export const MAX_PNG_DATA_URL_LENGTH = 32 * MB;
/** Widths beyond an 8K screen at 2× are not a chart. */
export const MAX_WIDTH = 16384;
/** The largest step index the host accepts (typed-array lengths are below 2³¹). */
export const MAX_STEP = 2 ** 31 - 1;

/** More claims than a file can sensibly state; the host also checks the index against its report. */
export const MAX_CLAIMS = 1 << 20;

type Fields = Record<string, unknown>;

function isRecord(raw: unknown): raw is Fields {
  return typeof raw === 'object' && raw !== null && !Array.isArray(raw);
}

function isInt(v: unknown, min: number, max: number): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
}

/** Own data properties only: a getter or a prototype cannot smuggle values past the checks. */
function field(raw: Fields, key: string): unknown {
  const d = Object.getOwnPropertyDescriptor(raw, key);
  return d && 'value' in d ? d.value : undefined;
}

function hasOnly(raw: Fields, keys: readonly string[]): boolean {
  const own = Object.keys(raw);
  return own.length === keys.length && own.every((k) => keys.includes(k));
}

/** The fields of `raw` that are well-formed; defaults for the rest. Never throws. */
export function readPersistedState(raw: unknown): PersistedState {
  const s: StoredState = isRecord(raw) ? raw : {};
  const z: unknown[] = Array.isArray(s.zoom) ? s.zoom : [];
  const [min, max] = z;
  const zoom: [number, number] | null = z.length === 2 && typeof min === 'number' && typeof max === 'number' && min < max && Number.isFinite(max - min) ? [min, max] : null;
  return {
    uri: typeof s.uri === 'string' ? s.uri : null,
    T: isInt(s.T, 0, MAX_STEP) ? s.T : 0,
    zoom,
    t: isInt(s.t, 1, MAX_STEP) ? s.t : null,
    log: typeof s.log === 'boolean' ? s.log : null,
  };
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function validate(raw: unknown): WebviewToHostMessage | undefined {
  if (!isRecord(raw)) return undefined;
  const type = field(raw, 'type');
  switch (type) {
    case 'ready':
    case 'didResize': {
      const width = field(raw, 'width');
      if (!hasOnly(raw, ['type', 'width']) || !isInt(width, 1, MAX_WIDTH)) return undefined;
      return { type, width };
    }
    case 'selectStep': {
      const t = field(raw, 't');
      const reveal = field(raw, 'reveal');
      if (!hasOnly(raw, ['type', 't', 'reveal']) || !isInt(t, 1, MAX_STEP) || typeof reveal !== 'boolean') return undefined;
      return { type, t, reveal };
    }
    case 'requestWindow': {
      const requestId = field(raw, 'requestId');
      const start = field(raw, 'start');
      const end = field(raw, 'end');
      const width = field(raw, 'width');
      if (
        !hasOnly(raw, ['type', 'requestId', 'start', 'end', 'width']) ||
        !isInt(requestId, 0, Number.MAX_SAFE_INTEGER) ||
        !isInt(start, 0, MAX_STEP) ||
        !isInt(end, 0, MAX_STEP) ||
        end <= start ||
        !isInt(width, 1, MAX_WIDTH)
      ) {
        return undefined;
      }
      return { type, requestId, start, end, width };
    }
    case 'revealClaim': {
      const index = field(raw, 'index');
      if (!hasOnly(raw, ['type', 'index']) || !isInt(index, 0, MAX_CLAIMS)) return undefined;
      return { type, index };
    }
    case 'exportTrace': {
      const format = field(raw, 'format');
      if (!hasOnly(raw, ['type', 'format']) || (format !== 'csv' && format !== 'json')) return undefined;
      return { type, format };
    }
    case 'savePng': {
      const dataUrl = field(raw, 'dataUrl');
      if (
        !hasOnly(raw, ['type', 'dataUrl']) ||
        typeof dataUrl !== 'string' ||
        dataUrl.length <= PNG_DATA_URL_PREFIX.length ||
        dataUrl.length > MAX_PNG_DATA_URL_LENGTH ||
        !dataUrl.startsWith(PNG_DATA_URL_PREFIX) ||
        !BASE64.test(dataUrl.slice(PNG_DATA_URL_PREFIX.length))
      ) {
        return undefined;
      }
      return { type, dataUrl };
    }
    default:
      return undefined;
  }
}

/** The message if `raw` is exactly a well-formed webview → host message, else undefined. Never throws. */
export function validateWebviewMessage(raw: unknown): WebviewToHostMessage | undefined {
  try {
    return validate(raw);
  } catch {
    // A Proxy can throw from any trap; such input is malformed by definition.
    return undefined;
  }
}
