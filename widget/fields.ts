/**
 * Checks the values a shopper typed for a method's `fields` before an attempt is made, so a
 * missing bank or a mistyped email is caught in the page and not by the provider.
 */
import type { FieldSpec } from './wire.ts';

export type FieldProblem = 'required' | 'email' | 'tel' | 'too_long' | 'option';

// Deliberately loose: the provider has the last word; this only catches obvious slips.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const TEL = /^\+?[0-9][0-9 ().-]{5,19}$/;

export function checkField(spec: FieldSpec, raw: string | undefined): FieldProblem | null {
  const value = (raw ?? '').trim();
  if (value === '') return spec.required ? 'required' : null;
  if (spec.maxLength !== undefined && value.length > spec.maxLength) return 'too_long';
  switch (spec.type) {
    case 'email':
      return EMAIL.test(value) ? null : 'email';
    case 'tel':
      return TEL.test(value) ? null : 'tel';
    case 'select':
      return (spec.options ?? []).some((option) => option.value === value) ? null : 'option';
    case 'text':
      return null;
  }
}

/** The problems of every field that has one, keyed by field name. */
export function checkFields(
  specs: readonly FieldSpec[],
  values: Readonly<Record<string, string>>,
): Record<string, FieldProblem> {
  const problems: Record<string, FieldProblem> = {};
  for (const spec of specs) {
    const problem = checkField(spec, values[spec.name]);
    if (problem) problems[spec.name] = problem;
  }
  return problems;
}

/** The values to send: trimmed, only the method's own fields, empty optional ones left out. */
export function fieldValues(
  specs: readonly FieldSpec[],
  values: Readonly<Record<string, string>>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const spec of specs) {
    const value = (values[spec.name] ?? '').trim();
    if (value !== '') out[spec.name] = value;
  }
  return out;
}
