/**
 * The element base of `<tender-checkout>`: reactive properties, batched updates rendered with
 * lit-html, styles in a shadow root, and controllers. It does what the widget used of LitElement
 * (whose reactive layer, with its decorators and CSS helpers, weighed about 3 KiB of the 16 KiB
 * the script-tag bundle may send) with the same names and the same order of calls, so reading the
 * element is reading a Lit element:
 * - properties are declared in `static properties`; setting one records its old value and asks
 *   for an update; `attribute` names the attribute it is read from (default: the lowercased name;
 *   `false`: none), `reflect` writes it back, `state` is internal (no attribute);
 * - an update runs in a microtask, once connected: `willUpdate(changed)`, reflected attributes,
 *   `render()` into the shadow root, then `updated(changed)`; properties set in `willUpdate` join
 *   the same update, those set in `updated` start the next one; `updateComplete` resolves after
 *   the update that is pending (true when no other one was asked for meanwhile);
 * - controllers (`addController`) hear `hostConnected` and `hostDisconnected`;
 * - a declarative shadow root the server drew is taken over, not replaced, and stays on screen
 *   until the element has a screen of its own to show (`keepsPrerender`).
 * Attribute values are strings (null once the attribute is removed), as Lit's default converter
 * reads a `String` property.
 */
import { render, type RootPart } from 'lit/html.js';

export interface PropertyOptions {
  /** The attribute read into the property: `false` for none; default the lowercased name. */
  attribute?: string | false;
  /** Write the property back to its attribute on each update. */
  reflect?: boolean;
  /** Internal state: no attribute. */
  state?: boolean;
}

/** The properties changed since the last update, each with its value before. */
export type PropertyValues<T = unknown> = Map<keyof T | PropertyKey, unknown>;

export interface Controller {
  hostConnected?(): void;
  hostDisconnected?(): void;
}

export interface ControllerHost {
  addController(controller: Controller): void;
  requestUpdate(): void;
  readonly updateComplete: Promise<boolean>;
}

/** The element's stylesheet text (written with `css`, a plain template: no interpolation). */
export const css = (strings: TemplateStringsArray): string => strings.join('');

const sheets = new Map<string, CSSStyleSheet>();

export abstract class ReactiveElement extends HTMLElement implements ControllerHost {
  static properties: Readonly<Record<string, PropertyOptions>> = {};
  static styles = '';

  static get observedAttributes(): string[] {
    return [...finalize(this).keys()];
  }

  /** @internal Read by the accessors `finalize` defines. */
  _values = new Map<string, unknown>();
  #changed: PropertyValues = new Map();
  #controllers = new Set<Controller>();
  #pending = false;
  #connected = false;
  #whenConnected: (() => void) | null = null;
  #updated: Promise<boolean>;
  #part: RootPart | null = null;
  /** The server's declarative shadow root, until the first render replaces what it shows. */
  #prerendered: ShadowRoot | null = null;
  renderRoot!: ShadowRoot;
  hasUpdated = false;

  constructor() {
    super();
    finalize(this.constructor as typeof ReactiveElement);
    // The first update waits for the element to be connected.
    this.#updated = new Promise<void>((resolve) => (this.#whenConnected = resolve)).then(() => this.#run());
    this.#pending = true;
  }

  get updateComplete(): Promise<boolean> {
    return this.#updated;
  }

  addController(controller: Controller): void {
    this.#controllers.add(controller);
    if (this.#connected) controller.hostConnected?.();
  }

  /** Asks for an update; with `name`, records that property's value before the change. */
  requestUpdate(name?: string, old?: unknown): void {
    if (name !== undefined && !this.#changed.has(name)) this.#changed.set(name, old);
    if (this.#pending) return;
    this.#pending = true;
    this.#updated = this.#updated.then(() => this.#run());
  }

  connectedCallback(): void {
    if (!this.renderRoot) {
      // A shadow root the server wrote into the page (declarative) is kept while `keepsPrerender`.
      // Browsers that read declarative roots all have constructable stylesheets: its own <style>
      // and the adopted sheet hold the same rules.
      this.#prerendered = this.shadowRoot;
      this.renderRoot = this.#prerendered ?? this.attachShadow({ mode: 'open' });
      adoptStyles(this.renderRoot, (this.constructor as typeof ReactiveElement).styles);
    }
    this.#connected = true;
    this.#whenConnected?.();
    this.#whenConnected = null;
    for (const controller of this.#controllers) controller.hostConnected?.();
    this.#part?.setConnected(true);
  }

  disconnectedCallback(): void {
    this.#connected = false;
    for (const controller of this.#controllers) controller.hostDisconnected?.();
    this.#part?.setConnected(false);
  }

  attributeChangedCallback(attribute: string, _old: string | null, value: string | null): void {
    const name = finalize(this.constructor as typeof ReactiveElement).get(attribute);
    if (name) (this as unknown as Record<string, unknown>)[name] = value;
  }

  /**
   * Whether what the server drew in the shadow root stays on screen instead of this update's
   * render: the first render that does not keep it replaces it.
   */
  protected keepsPrerender?(): boolean;

  protected willUpdate(_changed: PropertyValues<this>): void {}
  protected updated(_changed: PropertyValues<this>): void {}
  protected abstract render(): unknown;

  async #run(): Promise<boolean> {
    // A microtask after the request, so that every property set in the same task joins it.
    await Promise.resolve();
    const changed = this.#changed as PropertyValues<this>;
    this.willUpdate(changed);
    const properties = (this.constructor as typeof ReactiveElement).properties;
    for (const name of changed.keys()) {
      const options = properties[name as string];
      if (!options?.reflect) continue;
      const attribute = options.attribute || (name as string).toLowerCase();
      const value = this._values.get(name as string);
      // Reflected properties are strings; setAttribute converts anything else as String() would
      // (Lit writes its converter's value the same way).
      if (value == null) this.removeAttribute(attribute);
      else this.setAttribute(attribute, value as string);
    }
    // What the server drew stays until the element has a screen of its own.
    if (!this.#prerendered || !this.keepsPrerender?.()) {
      this.#prerendered?.replaceChildren();
      this.#prerendered = null;
      this.#part = render(this.render(), this.renderRoot, { host: this });
    }
    this.#changed = new Map();
    this.#pending = false;
    this.hasUpdated = true;
    this.updated(changed);
    return !this.#pending;
  }
}

/** Attribute name → property name, for each element class whose accessors are defined. */
const attributesOf = new WeakMap<typeof ReactiveElement, Map<string, string>>();

/** Defines each declared property as an accessor on the class's prototype, once per class. */
function finalize(element: typeof ReactiveElement): Map<string, string> {
  let attributes = attributesOf.get(element);
  if (attributes) return attributes;
  attributes = new Map();
  for (const [name, options] of Object.entries(element.properties)) {
    const attribute = options.state ? false : (options.attribute ?? name.toLowerCase());
    if (attribute) attributes.set(attribute, name);
    Object.defineProperty(element.prototype, name, {
      configurable: true,
      get(this: ReactiveElement) {
        return this._values.get(name);
      },
      set(this: ReactiveElement, value: unknown) {
        const old = this._values.get(name);
        if (Object.is(old, value)) return;
        this._values.set(name, value);
        this.requestUpdate(name, old);
      },
    });
  }
  attributesOf.set(element, attributes);
  return attributes;
}

function adoptStyles(root: ShadowRoot, text: string): void {
  if ('adoptedStyleSheets' in Document.prototype && 'replaceSync' in CSSStyleSheet.prototype) {
    let sheet = sheets.get(text);
    if (!sheet) {
      sheet = new CSSStyleSheet();
      sheet.replaceSync(text);
      sheets.set(text, sheet);
    }
    root.adoptedStyleSheets = [sheet];
    return;
  }
  // Browsers without constructable stylesheets (Safari before 16.4), as Lit does.
  const style = document.createElement('style');
  style.textContent = text;
  root.append(style);
}
