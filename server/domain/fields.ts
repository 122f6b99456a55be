/** The fields a shopper fills in for a method, checked against the method's field specs. */
import type { MethodView } from '../../widget/wire.ts';
import type { Customer } from '../providers/provider.ts';
import { DomainError } from './errors.ts';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** A phone number as shoppers and merchants type it: digits, spaces and dashes, optional `+`. */
export const PHONE = /^\+?[0-9][0-9 -]{5,19}$/;

const patterns = new Map<string, RegExp>();
/** A field's `pattern` (written by an adapter, never by a caller), compiled once. */
function safePattern(source: string): RegExp {
  let pattern = patterns.get(source);
  if (!pattern) {
    pattern = new RegExp(`^(?:${source})$`, 'u');
    patterns.set(source, pattern);
  }
  return pattern;
}

/** Checks the shopper's fields against the method's field specs; unknown fields are refused. */
export function validateFields(method: MethodView, given: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  // A card tokenizer's frame posts its own fields (tokens, never card numbers): they pass as they are.
  const tokenFields = method.tokenizer?.fields ?? [];
  for (const name of Object.keys(given)) {
    if (tokenFields.includes(name)) {
      out[name] = given[name]!;
      continue;
    }
    if (!method.fields.some((field) => field.name === name)) {
      throw new DomainError('invalid_request', `fields.${name} is not a field of ${method.id}`);
    }
  }
  for (const field of method.fields) {
    const value = (given[field.name] ?? '').trim();
    if (!value) {
      if (field.required) throw new DomainError('invalid_request', `fields.${field.name} is required for ${method.id}`);
      continue;
    }
    if (value.length > (field.maxLength ?? 200)) {
      throw new DomainError('invalid_request', `fields.${field.name} is too long`);
    }
    if (field.type === 'select' && !field.options?.some((option) => option.value === value)) {
      throw new DomainError('invalid_request', `fields.${field.name} is not one of the offered options`);
    }
    if (field.type === 'email' && !EMAIL.test(value)) {
      throw new DomainError('invalid_request', `fields.${field.name} is not an email address`);
    }
    if (field.type === 'tel' && !PHONE.test(value)) {
      throw new DomainError('invalid_request', `fields.${field.name} is not a phone number`);
    }
    // The same pattern the widget applies to the input, anchored to the whole value.
    if (field.pattern && !safePattern(field.pattern).test(value)) {
      throw new DomainError('invalid_request', `fields.${field.name} is not in the expected form`);
    }
    out[field.name] = value;
  }
  return out;
}

/** The customer details among the shopper's fields (they complete what the merchant gave). */
export function customerFields(fields: Record<string, string>): Customer {
  const out: Customer = {};
  for (const name of ['email', 'phone', 'name'] as const) if (fields[name]) out[name] = fields[name];
  return out;
}
