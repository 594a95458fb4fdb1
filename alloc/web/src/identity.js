// Children's identities (spec section 10): normalised document numbers and
// names, masks, receipt salts, identity commitments and lookup keys. Every
// step follows alloc/identity.py exactly: two programs that normalise
// differently compute different commitments.
//
// The region check of a mainland resident-id number (python-stdnum's table)
// is a data-quality check at registration only; commitments, masks and
// lookup keys are computed without it (spec 10.3), and so is everything here.

import { codePointLength, hasLoneSurrogate } from './bytes.js';
import { Tag, checkIdentifier, taggedHash, taggedMessage } from './canonical.js';
import { InputError } from './errors.js';

export const SALT_SIZE = 16;
export const MAX_NAME_LENGTH = 128;
export const MIN_PASSPORT_LENGTH = 5;
export const MAX_PASSPORT_LENGTH = 32;
export const MIDDLE_DOT = '\u00b7';

/** Document types (spec 10.2); the value is hashed. */
export const DocumentType = Object.freeze({ RESIDENT_ID: 'resident-id', PASSPORT: 'passport' });

// Unicode White_Space, exactly the list of spec 10.3.
const WHITE_SPACE =
  '\t\n\v\f\r\x85 \xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006' +
  '\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000';
const WHITE_SPACE_SET = new Set(WHITE_SPACE);
const DASH_OR_FORMAT_RE = /^[\p{Pd}\p{Cf}]$/u;

function expectText(raw, field) {
  if (typeof raw !== 'string') throw new InputError('The value must be text.', { field });
  if (hasLoneSurrogate(raw)) {
    throw new InputError('The text is not valid Unicode (a lone surrogate from a bad decode?).', {
      field,
      hint: 'Re-read the source with its real encoding.',
    });
  }
  return raw;
}

function documentType(value) {
  if (value === DocumentType.RESIDENT_ID || value === DocumentType.PASSPORT) return value;
  throw new InputError('The document type is unknown.', {
    field: 'document_type',
    value,
    hint: "Use 'resident-id' or 'passport'.",
  });
}

function asciiUpper(text) {
  return text.replace(/[a-z]+/g, (s) => s.toUpperCase());
}

/** Spec 10.3 steps 1-3: NFKC; drop white space, dashes (Pd, U+2212) and format characters; a-z to A-Z. */
function stripNumber(raw) {
  let out = '';
  for (const c of raw.normalize('NFKC')) {
    if (WHITE_SPACE_SET.has(c) || c === '\u2212' || DASH_OR_FORMAT_RE.test(c)) continue;
    out += c;
  }
  return asciiUpper(out);
}

const NUMBER_MESSAGES = {
  empty: 'The document number is empty.',
  passportCharacters: 'A passport number may hold only the letters A-Z and digits.',
  passportLength: `A passport number must have ${MIN_PASSPORT_LENGTH} to ${MAX_PASSPORT_LENGTH} letters and digits.`,
  firstGeneration: '15-digit first-generation identity numbers are no longer valid.',
  length: 'A resident identity number must have 18 characters.',
  characters: 'A resident identity number must be 17 digits and a last digit or X.',
  permit:
    'Numbers starting with 8 are residence permits and must start 810000 (Hong Kong), 820000 (Macau) or 830000 (Taiwan).',
  check: 'The check character does not match (ISO 7064 MOD 11-2).',
  date: 'The date of birth (characters 7-14) is not a real date.',
};

function numberError(key, hint) {
  return new InputError(NUMBER_MESSAGES[key], { field: 'document_number', hint });
}

const PERMIT_PREFIXES = new Set(['810000', '820000', '830000']);

function realDate(year, month, day) {
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  return day <= days;
}

/**
 * The normalised document number (spec 10.3), without the region check.
 * @throws {InputError} naming document_number (never repeating it)
 */
export function normaliseDocumentNumber(type, raw) {
  const kind = documentType(type);
  const number = stripNumber(expectText(raw, 'document_number'));
  if (!number) throw numberError('empty');
  if (kind === DocumentType.PASSPORT) {
    if (!/^[0-9A-Z]+$/.test(number)) {
      throw numberError('passportCharacters', 'Type it as printed without brackets, e.g. A1234567 for A123456(7).');
    }
    if (number.length < MIN_PASSPORT_LENGTH || number.length > MAX_PASSPORT_LENGTH) {
      throw numberError('passportLength', 'Check that the whole number was copied.');
    }
    return number;
  }
  if (/^[0-9]{15}$/.test(number)) {
    throw numberError('firstGeneration', 'Use the 18-character number on the current card or household register.');
  }
  if (codePointLength(number) !== 18) throw numberError('length', 'Check for missing or extra digits.');
  if (!/^[0-9]{17}[0-9X]$/.test(number)) {
    throw numberError('characters', 'Only the last character may be the letter X; check for O typed for 0.');
  }
  const permit = number[0] === '9' || PERMIT_PREFIXES.has(number.slice(0, 6));
  if (number[0] === '8' && !permit) throw numberError('permit', 'Check the first six digits.');
  let sum = 0;
  for (let i = 0; i < 18; i++) {
    const value = number[i] === 'X' ? 10 : number.charCodeAt(i) - 48;
    sum = (sum * 2 + value) % 11;
  }
  // The message never names the expected character (spec 10.3).
  if (sum !== 1) {
    throw numberError('check', 'Check the last character and the date of birth; one of the 18 characters is mistyped.');
  }
  const year = Number(number.slice(6, 10));
  const month = Number(number.slice(10, 12));
  const day = Number(number.slice(12, 14));
  if (!realDate(year, month, day)) throw numberError('date', 'Check the date of birth.');
  return number;
}

// --- names (spec 10.4) --------------------------------------------------------

const MIDDLE_DOT_LOOKALIKES = new Set('\u2022\u2027\u2219\u22c5\u30fb\uff65\u2e31');
const WHITE_SPACE_RUN_RE = new RegExp(`[${WHITE_SPACE}]+`, 'gu');
const SPACE_AROUND_DOT_RE = / ?\u00b7 ?/gu;
const CONTROL_RE = /^[\p{Cc}\p{Cf}\p{Cs}]$/u;

/** Ideographs of spec 10.4 (a code point string of one character, or undefined). */
function isHan(char) {
  if (char === undefined) return false;
  const c = char.codePointAt(0);
  return (
    c === 0x3005 ||
    c === 0x3007 ||
    (c >= 0x3400 && c <= 0x4dbf) ||
    (c >= 0x4e00 && c <= 0x9fff) ||
    (c >= 0xe000 && c <= 0xf8ff) ||
    (c >= 0xf900 && c <= 0xfaff) ||
    (c >= 0x20000 && c <= 0x3ffff)
  );
}

// Steps 6 and 8 look at neighbours in the text as it was before the step.
// They are loops rather than regular expressions with lookbehind, which
// Safari before 16.4 cannot even parse.

/** Step 6: a full stop, with at most one space either side, between ideographs becomes U+00B7. */
function fullStopsToDots(text) {
  const chars = Array.from(text);
  let out = '';
  let i = 0;
  while (i < chars.length) {
    // A span starts at a space or a full stop: [space] full-stop [space].
    const stop = chars[i] === ' ' ? i + 1 : i;
    if (chars[stop] === '.' || chars[stop] === '\u3002') {
      const end = chars[stop + 1] === ' ' ? stop + 1 : stop;
      if (isHan(chars[i - 1]) && isHan(chars[end + 1])) {
        out += MIDDLE_DOT;
        i = end + 1;
        continue;
      }
    }
    out += chars[i];
    i++;
  }
  return out;
}

/** Step 8: drop each space whose two neighbours are ideographs. */
function dropSpacesBetweenHan(text) {
  const chars = Array.from(text);
  let out = '';
  for (let i = 0; i < chars.length; i++) {
    if (chars[i] === ' ' && isHan(chars[i - 1]) && isHan(chars[i + 1])) continue;
    out += chars[i];
  }
  return out;
}

const NAME_MESSAGES = {
  control: 'The name contains a control or invisible character.',
  empty: 'The name is empty.',
  dot: 'A middle dot (·) must stand between two parts of the name.',
  asterisk: 'The name contains an asterisk (*).',
  length: `The name is longer than ${MAX_NAME_LENGTH} characters.`,
};

function nameError(key, hint) {
  return new InputError(NAME_MESSAGES[key], { field: 'name', hint });
}

/**
 * The normalised name (spec 10.4, all eleven steps).
 * @throws {InputError} naming the field name (never repeating it)
 */
export function normaliseName(raw) {
  let text = expectText(raw, 'name').normalize('NFC');
  for (const c of text) {
    if (!WHITE_SPACE_SET.has(c) && CONTROL_RE.test(c)) {
      throw nameError('control', 'Retype the name; invisible characters often come from copied web pages.');
    }
  }
  let mapped = '';
  for (const c of text) {
    const code = c.codePointAt(0);
    if (code >= 0xff01 && code <= 0xff5e) mapped += String.fromCharCode(code - 0xfee0);
    else if (MIDDLE_DOT_LOOKALIKES.has(c)) mapped += MIDDLE_DOT;
    else mapped += c;
  }
  text = mapped.replace(WHITE_SPACE_RUN_RE, ' ');
  text = text.replace(/^ +| +$/g, '');
  text = fullStopsToDots(text);
  text = text.replace(SPACE_AROUND_DOT_RE, MIDDLE_DOT);
  text = dropSpacesBetweenHan(text);
  text = text.toUpperCase().normalize('NFC');
  if (!text) throw nameError('empty');
  if (text.startsWith(MIDDLE_DOT) || text.endsWith(MIDDLE_DOT) || text.includes(MIDDLE_DOT + MIDDLE_DOT)) {
    throw nameError('dot', 'Write it like 阿卜杜拉·买买提.');
  }
  if (text.includes('*')) throw nameError('asterisk', 'Use the full name from the registration, not a masked list.');
  if (codePointLength(text) > MAX_NAME_LENGTH) throw nameError('length');
  return checkIdentifier(text, 'name');
}

// --- masks (spec 10.6) ------------------------------------------------------------

const COMPOUND_SURNAMES = new Set(
  (
    '欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 轩辕 令狐 ' +
    '钟离 端木 独孤 南宫 西门 万俟 闻人 赫连 公羊 澹台 公冶 宗政 濮阳 淳于 单于 ' +
    '太叔 申屠 仲孙 鲜于 闾丘 司空 亓官 司寇 子车 颛孙 巫马 公西 漆雕 乐正 壤驷 ' +
    '公良 拓跋 夹谷 宰父 谷梁 段干 百里 东郭 南门 呼延 羊舌 微生 梁丘 左丘 东门 ' +
    '第五 贺兰 完颜 叱干 ' +
    '歐陽 司馬 諸葛 東方 尉遲 公孫 長孫 軒轅 鍾離 獨孤 南宮 西門 聞人 澹臺 濮陽 ' +
    '單于 仲孫 鮮于 閭丘 顓孫 樂正 壤駟 夾谷 穀梁 東郭 南門 東門 賀蘭 完顏'
  ).split(' '),
);

/**
 * The name as shown on a notice board (spec 10.6): at most the surname shows,
 * and only while two more characters stay hidden (张三明 → 张**, 张三 → **).
 * @throws {InputError} for an invalid name
 */
export function maskName(name) {
  const chars = Array.from(normaliseName(name));
  const separator = (c) => c === ' ' || c === MIDDLE_DOT;
  const letters = chars.filter((c) => !separator(c)).length;
  const lead = chars.length >= 3 && COMPOUND_SURNAMES.has(chars[0] + chars[1]) ? 2 : 1;
  const shown = letters - lead >= 2 ? lead : 0;
  return chars.map((c, i) => (i < shown || separator(c) ? c : '*')).join('');
}

/**
 * The document number as shown on a notice board (spec 10.6): a resident-id
 * number shows its last 4 characters; a passport its first and last 2 (8 or
 * more characters) or 1.
 * @throws {InputError}
 */
export function maskDocumentNumber(type, number) {
  const kind = documentType(type);
  const text = normaliseDocumentNumber(kind, number);
  if (kind === DocumentType.RESIDENT_ID) return '*'.repeat(text.length - 4) + text.slice(-4);
  const keep = text.length >= 8 ? 2 : 1;
  return text.slice(0, keep) + '*'.repeat(text.length - 2 * keep) + text.slice(text.length - keep);
}

// --- receipt salts (spec 10.5) ----------------------------------------------------

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const SALT_TEXT_LENGTH = 26;
const SALT_LAST_CHARACTERS = 'AEIMQUY4';

function checkSalt(salt) {
  if (!(salt instanceof Uint8Array) || salt.length !== SALT_SIZE) {
    throw new InputError(`A salt must be exactly ${SALT_SIZE} bytes.`, { field: 'salt' });
  }
  return salt;
}

/** The salt as printed on a receipt: base32 in groups of four joined by '-'. */
export function formatSalt(salt) {
  checkSalt(salt);
  let bits = 0;
  let value = 0;
  let text = '';
  for (const byte of salt) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      text += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  if (bits) text += BASE32[(value << (5 - bits)) & 31];
  return text.match(/.{1,4}/g).join('-');
}

/**
 * Read a salt typed from a receipt (spec 10.5): the steps of 10.3, then 0 to
 * O and 1 to I; 26 base32 characters whose last is one of A E I M Q U Y 4.
 * @throws {InputError} naming the field salt (never repeating it)
 */
export function parseSalt(text) {
  const cleaned = stripNumber(expectText(text, 'salt')).replaceAll('0', 'O').replaceAll('1', 'I');
  if (cleaned.length !== SALT_TEXT_LENGTH || !/^[A-Z2-7]+$/.test(cleaned)) {
    throw new InputError(`A receipt salt is ${SALT_TEXT_LENGTH} characters from A-Z and 2-7.`, {
      field: 'salt',
      hint: 'Copy all seven groups from the receipt, like ABCD-EFGH-…-XY.',
    });
  }
  if (!SALT_LAST_CHARACTERS.includes(cleaned[SALT_TEXT_LENGTH - 1])) {
    throw new InputError('The last character of a receipt salt is one of A E I M Q U Y 4.', {
      field: 'salt',
      hint: 'Check the last group.',
    });
  }
  const salt = new Uint8Array(SALT_SIZE);
  let bits = 0;
  let value = 0;
  let at = 0;
  for (const c of cleaned) {
    value = (value << 5) | BASE32.indexOf(c);
    bits += 5;
    if (bits >= 8) {
      salt[at++] = (value >>> (bits - 8)) & 0xff;
      bits -= 8;
      value &= (1 << bits) - 1;
    }
  }
  return salt;
}

// --- commitments and lookup keys ----------------------------------------------------

/**
 * The identity commitment message (spec 10.5) of a number and name already normalised.
 */
export function identityMessage({ drawId, registrationNumber, documentType: type, number, name, salt }) {
  checkIdentifier(drawId, 'draw_id');
  checkIdentifier(registrationNumber, 'registration_number');
  return taggedMessage(Tag.IDENTITY, drawId, registrationNumber, documentType(type), number, name, checkSalt(salt));
}

/**
 * The 32-byte identity commitment (spec 10.5): the number and name are
 * normalised first (10.3 without the region check, 10.4).
 * @throws {InputError} naming the field at fault
 */
export function identityCommitment({ drawId, registrationNumber, documentType: type, documentNumber, name, salt }) {
  const kind = documentType(type);
  const number = normaliseDocumentNumber(kind, documentNumber);
  return taggedHash(
    Tag.IDENTITY,
    checkIdentifier(drawId, 'draw_id'),
    checkIdentifier(registrationNumber, 'registration_number'),
    kind,
    number,
    normaliseName(name),
    checkSalt(salt),
  );
}
