import { css } from './element.ts';

/**
 * Mobile first: one column, full-width controls, touch targets of at least 48px. The host is left
 * to the page (only `display` is set there); theming goes through `--tender-*` properties, read
 * once into private `--_*` properties on the inner wrapper.
 */
export const checkoutStyles = css`
  :host {
    display: block;
  }
  :host([hidden]) {
    display: none;
  }

  .base {
    --_accent: var(--tender-accent, #2563eb);
    --_on-accent: var(--tender-accent-contrast, #ffffff);
    --_radius: var(--tender-radius, 12px);
    --_text: var(--tender-text, #111827);
    --_muted: var(--tender-muted, #4b5563);
    --_surface: var(--tender-surface, #ffffff);
    --_border: var(--tender-border, #d1d5db);
    /* Controls need 3:1 against the surface (WCAG 1.4.11); #6b7280 on white is 4.8:1. The card's
       border is decoration and may stay light. */
    --_control-border: var(--tender-control-border, #6b7280);
    --_danger: var(--tender-danger, #b91c1c);
    --_success: var(--tender-success, #15803d);
    --_gap: var(--tender-gap, 1rem);
    color-scheme: light;
    container-type: inline-size;
    box-sizing: border-box;
    min-width: 0;
    overflow-wrap: anywhere;
    display: grid;
    gap: var(--_gap);
    padding: var(--_gap);
    font: var(
      --tender-font,
      400 1rem/1.5 system-ui,
      -apple-system,
      'Segoe UI',
      Roboto,
      'Noto Sans Thai',
      'Noto Sans SC',
      sans-serif
    );
    color: var(--_text);
    background: var(--_surface);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
  }
  *,
  *::before,
  *::after {
    box-sizing: inherit;
  }
  /* Dark: with the system unless the host sets theme="light", or always with theme="dark". A
     merchant's own --tender-* values win either way. */
  @media (prefers-color-scheme: dark) {
    :host(:not([theme='light'])) .base {
      color-scheme: dark;
      --_accent: var(--tender-accent, #60a5fa);
      --_on-accent: var(--tender-accent-contrast, #0b1220);
      --_text: var(--tender-text, #f3f4f6);
      --_muted: var(--tender-muted, #c4c9d2);
      --_surface: var(--tender-surface, #111827);
      --_border: var(--tender-border, #374151);
      --_control-border: var(--tender-control-border, #9ca3af);
      --_danger: var(--tender-danger, #fca5a5);
      --_success: var(--tender-success, #86efac);
    }
  }
  :host([theme='dark']) .base {
    color-scheme: dark;
    --_accent: var(--tender-accent, #60a5fa);
    --_on-accent: var(--tender-accent-contrast, #0b1220);
    --_text: var(--tender-text, #f3f4f6);
    --_muted: var(--tender-muted, #c4c9d2);
    --_surface: var(--tender-surface, #111827);
    --_border: var(--tender-border, #374151);
    --_control-border: var(--tender-control-border, #9ca3af);
    --_danger: var(--tender-danger, #fca5a5);
    --_success: var(--tender-success, #86efac);
  }

  .header {
    display: grid;
    gap: 0.125rem;
  }
  .merchant,
  .description {
    margin: 0;
    color: var(--_muted);
  }
  .amount {
    margin: 0;
    /* Shrinks on narrow cards so a long amount at 200% text still fits (WCAG 1.4.4, 1.4.10). */
    font-size: clamp(1.25rem, 8cqi, 1.75rem);
    font-weight: 650;
    line-height: 1.2;
    font-variant-numeric: tabular-nums;
  }

  .live {
    display: grid;
    gap: 0.25rem;
  }
  .status {
    margin: 0;
    font-size: 1rem;
    font-weight: 600;
  }
  .estimate,
  .method-estimate {
    margin: 0;
    color: var(--_muted);
    font-variant-numeric: tabular-nums;
  }
  .method-estimate {
    margin-inline-start: auto;
  }
  .status.is-error {
    color: var(--_danger);
  }
  .status.is-success {
    color: var(--_success);
  }
  .hint,
  .connection {
    margin: 0;
    color: var(--_muted);
    font-size: 0.9375rem;
  }

  form {
    display: grid;
    gap: var(--_gap);
  }
  fieldset {
    display: grid;
    gap: 0.5rem;
    margin: 0;
    padding: 0;
    border: 0;
    min-width: 0;
  }
  legend {
    padding: 0;
    margin-block-end: 0.5rem;
    font-weight: 600;
  }
  .method {
    display: flex;
    align-items: center;
    gap: 0.75rem;
    min-height: 48px;
    padding-block: 0.5rem;
    padding-inline: 0.875rem;
    border: 1px solid var(--_control-border);
    border-radius: var(--_radius);
    cursor: pointer;
  }
  .method:has(input:checked) {
    border-color: var(--_accent);
    box-shadow: inset 0 0 0 1px var(--_accent);
  }
  .logo,
  .logo svg {
    display: block;
    inline-size: 1.5rem;
    block-size: 1.5rem;
    flex: none;
  }
  .method input {
    width: 1.25rem;
    height: 1.25rem;
    margin: 0;
    accent-color: var(--_accent);
  }

  .field {
    display: grid;
    gap: 0.25rem;
  }
  .field label {
    font-weight: 500;
  }
  .required-mark {
    color: var(--_danger);
  }
  input:not([type='radio']),
  select {
    inline-size: 100%;
    min-height: 48px;
    padding-block: 0.5rem;
    padding-inline: 0.75rem;
    font: inherit;
    color: inherit;
    background: var(--_surface);
    border: 1px solid var(--_control-border);
    border-radius: calc(var(--_radius) * 0.66);
  }
  [aria-invalid='true'] {
    border-color: var(--_danger);
  }
  .field-error,
  .form-error {
    margin: 0;
    color: var(--_danger);
    font-size: 0.9375rem;
  }

  button,
  .link-button {
    display: inline-flex;
    align-items: center;
    justify-content: center;
    inline-size: 100%;
    min-height: 48px;
    padding-block: 0.75rem;
    padding-inline: 1rem;
    font: inherit;
    font-weight: 600;
    text-align: center;
    text-decoration: none;
    border-radius: var(--_radius);
    cursor: pointer;
  }
  .primary {
    color: var(--_on-accent);
    background: var(--_accent);
    border: 1px solid var(--_accent);
  }
  .secondary {
    color: var(--_accent);
    background: transparent;
    border: 1px solid var(--_control-border);
  }
  button:disabled {
    opacity: 0.6;
    cursor: progress;
  }
  :focus-visible {
    outline: 3px solid var(--_accent);
    outline-offset: 2px;
  }

  .qr {
    display: grid;
    justify-items: center;
    gap: 0.75rem;
    margin: 0;
  }
  .qr svg {
    inline-size: min(100%, var(--tender-qr-size, 240px));
    block-size: auto;
    aspect-ratio: 1;
    /* The code keeps its own light quiet zone in dark mode too, or phones cannot read it. */
    background: #ffffff;
    border-radius: calc(var(--_radius) * 0.5);
  }
  .card-frame,
  .challenge-frame,
  .camera {
    inline-size: 100%;
    border: 1px solid var(--_control-border);
    border-radius: calc(var(--_radius) * 0.66);
    background: #ffffff;
  }
  .card-frame {
    min-block-size: 120px;
  }
  .challenge-frame {
    block-size: 400px;
  }
  .camera[hidden] {
    display: none;
  }
  .countdown {
    margin: 0;
    font-variant-numeric: tabular-nums;
    color: var(--_muted);
  }
  .actions {
    display: grid;
    gap: 0.5rem;
  }

  /* Windows high contrast: system colours, visible borders, and the QR still black on white. */
  @media (forced-colors: active) {
    .method:has(input:checked),
    .primary {
      border: 2px solid Highlight;
    }
    .qr svg {
      forced-color-adjust: none;
    }
    button:disabled {
      color: GrayText;
    }
  }

  @media (min-width: 30rem) {
    .base {
      padding: calc(var(--_gap) * 1.5);
    }
  }
  @media (prefers-reduced-motion: no-preference) {
    button,
    .method {
      transition:
        border-color 120ms,
        box-shadow 120ms;
    }
  }
`;
