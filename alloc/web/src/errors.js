// The errors of the verifier library. Every one is an AllocError with the
// same fields as Python's alloc.errors.InputError: what is wrong, the field
// and row at fault, and how to fix it. Personal data (a name, a document
// number, a salt) is never repeated in a message.

/** Fields whose values are personal data and never appear in a message. */
export const SENSITIVE_FIELDS = new Set(['name', 'document_number', 'guardian_contact', 'salt']);

/** The base class of every error this library throws on purpose. */
export class AllocError extends Error {
  /**
   * @param {string} problem what is wrong, as a complete sentence
   * @param {{field?: string, value?: unknown, row?: number, source?: string, hint?: string}} [where]
   */
  constructor(problem, { field, value, row, source, hint } = {}) {
    const sensitive = field !== undefined && SENSITIVE_FIELDS.has(field);
    const parts = [];
    if (source !== undefined) parts.push(source);
    if (row !== undefined) parts.push(`row ${row}`);
    if (field !== undefined) parts.push(`field '${field}'`);
    let text = problem;
    if (value !== undefined && !sensitive) text += ` (value: ${JSON.stringify(value)})`;
    if (parts.length) text += ` [${parts.join(', ')}]`;
    if (hint !== undefined) text += `. ${hint}`;
    super(text);
    this.name = new.target.name;
    this.problem = problem;
    this.field = field;
    this.value = sensitive ? undefined : value;
    this.row = row;
    this.source = source;
    this.hint = hint;
  }
}

/** A value is malformed, missing or inconsistent. */
export class InputError extends AllocError {}

/** The rules document is inconsistent. */
export class RulesError extends AllocError {}

/** A value appears twice where it must be unique. */
export class DuplicateError extends InputError {}

/** A document or line is not exactly what the specification defines (spec 2.4). */
export class MalformedDocumentError extends InputError {}

/** A trust policy is unacceptable, or a pinned fingerprint matches no key (spec 9.1). */
export class TrustError extends InputError {}

/** A check of a signed or committed value failed (a signature, a root, a digest). */
export class VerificationError extends AllocError {}
