/**
 * The fields some methods ask for (a bank, an account number, an email), loaded on demand
 * (`parts.ts`) when the session offers such a method: their controls, and the checks on what the
 * shopper typed before an attempt is made, so a missing bank or a mistyped email is caught in the
 * page and not by the provider.
 */
import { html, nothing, type TemplateResult } from 'lit/html.js';
import type { Translator } from './i18n.ts';
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

/** What the fields show, handed over by the element on each render. */
export interface FieldsScreen {
  t: Translator;
  specs: readonly FieldSpec[];
  values: Readonly<Record<string, string>>;
  problems: Readonly<Record<string, FieldProblem>>;
  submitting: boolean;
  onInput(spec: FieldSpec, event: Event): void;
}

/** `label` is a translation key (wire.ts), then the provider's own names; the field's name is the last resort. */
function fieldLabel(t: Translator, spec: FieldSpec): string {
  return (
    (spec.label && t.maybe(spec.label)) ||
    t.maybe(`field.${spec.name}`) ||
    spec.labels?.[t.locale] ||
    spec.labels?.en ||
    spec.name
  );
}

function problemText(t: Translator, spec: FieldSpec, problem: FieldProblem): string {
  const field = fieldLabel(t, spec);
  switch (problem) {
    case 'required':
      return t('fieldRequired', { field });
    case 'email':
      return t('fieldInvalidEmail');
    case 'tel':
      return t('fieldInvalidTel');
    case 'too_long':
      return t('fieldTooLong', { field });
    case 'option':
      return t('fieldInvalidOption');
  }
}

export function renderFields(screen: FieldsScreen): TemplateResult[] {
  const { t, submitting } = screen;
  return screen.specs.map((spec, index) => {
    const id = `field-${index}`;
    const problem = screen.problems[spec.name];
    const errorId = `${id}-error`;
    const value = screen.values[spec.name] ?? '';
    const described = problem ? errorId : nothing;
    const onInput = (event: Event) => screen.onInput(spec, event);
    // The wire carries the token as a string; lit-analyzer checks the attribute against the list of
    // autofill tokens, which every field spec under server/providers/ uses.
    const autocomplete =
      (spec.autocomplete as 'on' | undefined) ??
      (spec.type === 'email' ? 'email' : spec.type === 'tel' ? 'tel' : nothing);
    const control =
      spec.type === 'select'
        ? html`<select
            id=${id}
            name=${spec.name}
            part="input"
            ?required=${spec.required}
            ?disabled=${submitting}
            aria-invalid=${problem ? 'true' : 'false'}
            aria-describedby=${described}
            @change=${onInput}
          >
            <option value="" ?selected=${value === ''}>${t('selectPlaceholder')}</option>
            ${(spec.options ?? []).map(
              (option) =>
                html`<option value=${option.value} ?selected=${value === option.value}>
                  ${option.labels?.[t.locale] ?? option.label}
                </option>`,
            )}
          </select>`
        : html`<input
            id=${id}
            name=${spec.name}
            part="input"
            type=${spec.type}
            .value=${value}
            ?required=${spec.required}
            ?disabled=${submitting}
            maxlength=${spec.maxLength ?? nothing}
            pattern=${spec.pattern ?? nothing}
            inputmode=${spec.inputMode ?? (spec.type === 'tel' ? 'tel' : spec.type === 'email' ? 'email' : nothing)}
            autocomplete=${autocomplete}
            aria-invalid=${problem ? 'true' : 'false'}
            aria-describedby=${described}
            @input=${onInput}
          />`;
    return html`<div class="field" part="field">
      <label for=${id} part="label"
        >${fieldLabel(t, spec)}${
          spec.required ? html` <span class="required-mark" aria-hidden="true">*</span>` : nothing
        }</label
      >
      ${control}
      ${problem ? html`<p id=${errorId} class="field-error" part="field-error">${problemText(t, spec, problem)}</p>` : nothing}
    </div>`;
  });
}
