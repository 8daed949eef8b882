import {
  BUILTIN_DEFAULTS,
  CHOICES,
  MODEL_KEYS,
  isModelKey,
  isNumericKey,
  type Model,
  type ModelKey,
} from '../core/model';
import type { CallerDefaults, ValueSource } from './types';
import { quote } from './errors';

/** Values a file sets, key by key (already validated). */
export type FileValues = { -readonly [K in ModelKey]?: Model[K] };

export type ChoiceKey = keyof typeof CHOICES;

const CHOICE_KIND: Record<ChoiceKey, string> = {
  phi: 'activation',
  theta: 'activation',
  loss: 'loss',
  reduction: 'reduction',
};

export function unknownKeyMessage(key: string): string {
  return `unknown key ${quote(key)}; valid keys: ${MODEL_KEYS.join(', ')}`;
}

/** Message for a name that is not one of the choices for key. */
export function unknownChoiceMessage(key: ChoiceKey, value: string): string {
  const kind = CHOICE_KIND[key];
  const forKey = kind === key ? '' : ` for ${key}`;
  return `unknown ${kind} ${quote(value)}${forKey}; expected one of: ${CHOICES[key].join(', ')}`;
}

export function isChoice(key: ChoiceKey, value: unknown): boolean {
  return typeof value === 'string' && (CHOICES[key] as readonly string[]).includes(value);
}

/** Stores a validated value into the file's layer (a later value for the same key wins). */
export function setFileValue(file: FileValues, key: ModelKey, value: number | string): void {
  (file as Record<string, number | string>)[key] = value;
}

/** Applies precedence file → caller defaults (validated, invalid ones ignored) → built-in. */
export function resolveModel(
  file: FileValues,
  defaults: CallerDefaults | undefined,
): { model: Model; modelSource: Record<ModelKey, ValueSource> } {
  const model = { ...BUILTIN_DEFAULTS } as Record<ModelKey, number | string>;
  const modelSource = {} as Record<ModelKey, ValueSource>;
  const caller = (defaults !== null && typeof defaults === 'object' ? defaults : {}) as Record<string, unknown>;
  for (const key of MODEL_KEYS) {
    const f = (file as Record<string, unknown>)[key];
    if (f !== undefined) {
      model[key] = f as number | string;
      modelSource[key] = 'file';
      continue;
    }
    let c: unknown;
    try {
      c = caller[key];
    } catch {
      c = undefined;
    }
    const ok = isNumericKey(key)
      ? typeof c === 'number' && Number.isFinite(c)
      : isChoice(key as ChoiceKey, c);
    if (ok) {
      model[key] = c as number | string;
      modelSource[key] = 'caller';
    } else {
      modelSource[key] = 'builtin';
    }
  }
  return { model: model as unknown as Model, modelSource };
}

export { isModelKey, isNumericKey };
