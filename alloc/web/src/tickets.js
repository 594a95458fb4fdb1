// Lottery numbers (spec section 5): HMAC-SHA256 of the seed over a tagged message.

import { toHex, utf8 } from './bytes.js';
import { Tag, checkIdentifier, taggedMessage } from './canonical.js';
import { hmacSha256, hmacSha256With } from './crypto.js';
import { InputError } from './errors.js';

function checkSeed(seed) {
  if (!(seed instanceof Uint8Array) || seed.length !== 32) {
    throw new InputError('The seed must be exactly 32 bytes.', {
      field: 'seed',
      hint: 'Use the seed from the transcript (64 hex digits).',
    });
  }
  return seed;
}

/** ticket(child) = HMAC-SHA256(seed, "alloc/v1/ticket" 0 draw_id 0 registration_number). */
export function ticket(seed, drawId, registrationNumber) {
  checkIdentifier(drawId, 'draw_id');
  checkIdentifier(registrationNumber, 'registration_number');
  return hmacSha256(checkSeed(seed), taggedMessage(Tag.TICKET, drawId, registrationNumber));
}

/** ticket(child, kindergarten). */
export function kindergartenTicket(seed, drawId, registrationNumber, kindergartenId) {
  checkIdentifier(drawId, 'draw_id');
  checkIdentifier(registrationNumber, 'registration_number');
  checkIdentifier(kindergartenId, 'kindergarten');
  return hmacSha256(
    checkSeed(seed),
    taggedMessage(Tag.TICKET_KINDERGARTEN, drawId, registrationNumber, kindergartenId),
  );
}

/** ticket(group). */
export function groupTicket(seed, drawId, groupId) {
  checkIdentifier(drawId, 'draw_id');
  checkIdentifier(groupId, 'group');
  return hmacSha256(checkSeed(seed), taggedMessage(Tag.TICKET_GROUP, drawId, groupId));
}

/** ticket(group, kindergarten). */
export function groupKindergartenTicket(seed, drawId, groupId, kindergartenId) {
  checkIdentifier(drawId, 'draw_id');
  checkIdentifier(groupId, 'group');
  checkIdentifier(kindergartenId, 'kindergarten');
  return hmacSha256(
    checkSeed(seed),
    taggedMessage(Tag.TICKET_GROUP_KINDERGARTEN, drawId, groupId, kindergartenId),
  );
}

/**
 * All four kinds of lottery number for one draw, as lower-case hex, with
 * the HMAC key schedule computed once. Identifiers are not checked here:
 * the caller passes identifiers it has checked already.
 */
export function ticketMaker(seed, drawId) {
  const mac = hmacSha256With(checkSeed(seed));
  const zero = '\u0000';
  const prefix = (tag) => tag + zero + drawId + zero;
  const child = prefix(Tag.TICKET);
  const childAt = prefix(Tag.TICKET_KINDERGARTEN);
  const group = prefix(Tag.TICKET_GROUP);
  const groupAt = prefix(Tag.TICKET_GROUP_KINDERGARTEN);
  return {
    child: (reg) => toHex(mac(utf8(child + reg))),
    childAt: (reg, kg) => toHex(mac(utf8(childAt + reg + zero + kg))),
    group: (gid) => toHex(mac(utf8(group + gid))),
    groupAt: (gid, kg) => toHex(mac(utf8(groupAt + gid + zero + kg))),
  };
}
