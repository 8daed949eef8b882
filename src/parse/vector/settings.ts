/**
 * The settings of a vector-model file, one key at a time, from a CSV/TSV directive or a JSON "bptt"
 * object: phi, theta, loss (with cross_entropy), reduction, layout, h0, weights (the path), and
 * grads (the path of the user's gradients, checked against the exact ones).
 * The scalar model's w v b u c are refused: a vector model's parameters come from its weights.
 */
import { NUMERIC_KEYS, PHI_NAMES, REDUCTION_NAMES, THETA_NAMES } from '../../core/model';
import { VECTOR_LOSS_NAMES } from '../../core/vector/model';
import type { CallerDefaults } from '../types';
import { quote } from '../errors';
import type { VectorSettings } from './types';

export const VECTOR_CHOICES = {
  phi: PHI_NAMES,
  theta: THETA_NAMES,
  loss: VECTOR_LOSS_NAMES,
  reduction: REDUCTION_NAMES,
  layout: ['column', 'row'],
} as const;
export type VectorChoiceKey = keyof typeof VECTOR_CHOICES;

/** Every key a vector file's directive or "bptt" object may have. */
export const VECTOR_KEYS = ['phi', 'theta', 'loss', 'reduction', 'layout', 'h0', 'weights', 'grads'] as const;

export function isVectorChoiceKey(key: string): key is VectorChoiceKey {
  return Object.hasOwn(VECTOR_CHOICES, key);
}

/** Why key is not a vector-file key (a located message), or undefined when it is one. */
export function vectorKeyProblem(key: string): string | undefined {
  if ((VECTOR_KEYS as readonly string[]).includes(key)) return undefined;
  if ((NUMERIC_KEYS as readonly string[]).includes(key)) {
    return `${quote(key)} is a scalar-model key; a vector model's parameters come from its weights (keys: ${VECTOR_KEYS.join(', ')})`;
  }
  return `unknown key ${quote(key)}; valid keys for a vector model: ${VECTOR_KEYS.join(', ')}`;
}

/** Why value is not a choice for key, or undefined when it is. */
export function vectorChoiceProblem(key: VectorChoiceKey, value: string): string | undefined {
  const choices: readonly string[] = VECTOR_CHOICES[key];
  return choices.includes(value) ? undefined : `unknown ${key} ${quote(value)}; expected one of: ${choices.join(', ')}`;
}

/** The file's choices over the caller's (the CLI flags, the extension's settings), over the built-in defaults. */
export function resolveVectorSettings(file: Partial<VectorSettings>, defaults?: CallerDefaults): VectorSettings {
  const caller = (defaults !== null && typeof defaults === 'object' ? defaults : {}) as Record<string, unknown>;
  const pick = <K extends VectorChoiceKey>(key: K, builtin: VectorSettings[K]): VectorSettings[K] => {
    if (file[key] !== undefined) return file[key] as VectorSettings[K];
    const c = caller[key];
    return typeof c === 'string' && (VECTOR_CHOICES[key] as readonly string[]).includes(c) ? (c as VectorSettings[K]) : builtin;
  };
  return {
    phi: pick('phi', 'tanh'),
    theta: pick('theta', 'identity'),
    loss: pick('loss', 'squared'),
    reduction: pick('reduction', 'sum'),
    layout: pick('layout', 'column'),
    ...(file.h0 ? { h0: file.h0 } : {}),
  };
}
