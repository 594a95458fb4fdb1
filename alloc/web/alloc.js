// alloc.js: the verifier library of alloc, built by alloc/web/tools/build.mjs from
// alloc/web/src and alloc/web/vendor (see alloc/web/README.md). Do not edit: rebuild.
var alloc = (() => {
  var __defProp = Object.defineProperty;
  var __getOwnPropDesc = Object.getOwnPropertyDescriptor;
  var __getOwnPropNames = Object.getOwnPropertyNames;
  var __hasOwnProp = Object.prototype.hasOwnProperty;
  var __defNormalProp = (obj, key, value) => key in obj ? __defProp(obj, key, { enumerable: true, configurable: true, writable: true, value }) : obj[key] = value;
  var __export = (target, all) => {
    for (var name in all)
      __defProp(target, name, { get: all[name], enumerable: true });
  };
  var __copyProps = (to, from, except, desc) => {
    if (from && typeof from === "object" || typeof from === "function") {
      for (let key of __getOwnPropNames(from))
        if (!__hasOwnProp.call(to, key) && key !== except)
          __defProp(to, key, { get: () => from[key], enumerable: !(desc = __getOwnPropDesc(from, key)) || desc.enumerable });
    }
    return to;
  };
  var __toCommonJS = (mod2) => __copyProps(__defProp({}, "__esModule", { value: true }), mod2);
  var __publicField = (obj, key, value) => __defNormalProp(obj, typeof key !== "symbol" ? key + "" : key, value);

  // src/index.js
  var index_exports = {};
  __export(index_exports, {
    AllocError: () => AllocError,
    DEFAULT_TIME_ZONE: () => DEFAULT_TIME_ZONE,
    DRAND_CHAINS: () => DRAND_CHAINS,
    DRAW_STAGES: () => DRAW_STAGES,
    DocumentType: () => DocumentType,
    DuplicateError: () => DuplicateError,
    Fields: () => Fields,
    InputError: () => InputError,
    LOOKUP_INDEX_FILE: () => LOOKUP_INDEX_FILE,
    MAX_BLOCKS: () => MAX_BLOCKS,
    MAX_CHOICES: () => MAX_CHOICES,
    MAX_DEPTH: () => MAX_DEPTH,
    MAX_IDENTIFIER_LENGTH: () => MAX_IDENTIFIER_LENGTH,
    MAX_INTEGER: () => MAX_INTEGER,
    MAX_NAME_LENGTH: () => MAX_NAME_LENGTH,
    MAX_PASSPORT_LENGTH: () => MAX_PASSPORT_LENGTH,
    MAX_SHARD_DIGITS: () => MAX_SHARD_DIGITS,
    MAX_SOURCE_COUNT: () => MAX_SOURCE_COUNT,
    MAX_SOURCE_NUMBER: () => MAX_SOURCE_NUMBER,
    MIDDLE_DOT: () => MIDDLE_DOT,
    MIN_DISTINCT_SECRET_BYTES: () => MIN_DISTINCT_SECRET_BYTES,
    MIN_PASSPORT_LENGTH: () => MIN_PASSPORT_LENGTH,
    MalformedDocumentError: () => MalformedDocumentError,
    Mechanism: () => Mechanism,
    Multiples: () => Multiples,
    OPEN_BLOCK: () => OPEN_BLOCK,
    PARENT_STEPS: () => PARENT_STEPS,
    PROOF_FOLDER: () => PROOF_FOLDER,
    PYTHON_SPACE: () => PYTHON_SPACE,
    REQUIRED_ROLES: () => REQUIRED_ROLES,
    RoundSeed: () => RoundSeed,
    RulesError: () => RulesError,
    SALT_SIZE: () => SALT_SIZE,
    SECRET_SIZE: () => SECRET_SIZE,
    SENSITIVE_FIELDS: () => SENSITIVE_FIELDS,
    SPEC_VERSION: () => SPEC_VERSION,
    Tag: () => Tag,
    TieBreak: () => TieBreak,
    TrustError: () => TrustError,
    Unanswered: () => Unanswered,
    VerificationError: () => VerificationError,
    aesGcmOpen: () => aesGcmOpen,
    aesGcmSeal: () => aesGcmSeal,
    bytesEqual: () => bytesEqual,
    canonicalBytes: () => canonicalBytes,
    canonicalJson: () => canonicalJson,
    checkDraw: () => checkDraw,
    checkIdentifier: () => checkIdentifier,
    checkParentProof: () => checkParentProof,
    codePointLength: () => codePointLength,
    commitment: () => commitment,
    compareCodePoints: () => compareCodePoints,
    compareWithTranscript: () => compareWithTranscript,
    concatBytes: () => concatBytes,
    deriveSeed: () => deriveSeed,
    documentDigest: () => documentDigest,
    draw: () => draw,
    ed25519Verify: () => ed25519Verify,
    evaluatePolicy: () => evaluatePolicy,
    fingerprint: () => fingerprint,
    formatSalt: () => formatSalt,
    fromHex: () => fromHex,
    fromUtf8: () => fromUtf8,
    groupKindergartenTicket: () => groupKindergartenTicket,
    groupTicket: () => groupTicket,
    hasLoneSurrogate: () => hasLoneSurrogate,
    hkdfSha256: () => hkdfSha256,
    hmacSha256: () => hmacSha256,
    identityCommitment: () => identityCommitment,
    identityMessage: () => identityMessage,
    inclusionProof: () => inclusionProof,
    keyId: () => keyId,
    kindergartenTicket: () => kindergartenTicket,
    leafHash: () => leafHash,
    lookupEntryIkm: () => lookupEntryIkm,
    lookupEntryKeys: () => lookupEntryKeys,
    makeProof: () => makeProof,
    maskDocumentNumber: () => maskDocumentNumber,
    maskName: () => maskName,
    merkleRoot: () => merkleRoot,
    nodeHash: () => nodeHash,
    normaliseDocumentNumber: () => normaliseDocumentNumber,
    normaliseName: () => normaliseName,
    openLookupEntry: () => openLookupEntry,
    parseEnvelope: () => parseEnvelope,
    parseJson: () => parseJson,
    parseLookupHeader: () => parseLookupHeader,
    parseLookupShard: () => parseLookupShard,
    parsePin: () => parsePin,
    parseProof: () => parseProof,
    parseRecords: () => parseRecords,
    parseResultLine: () => parseResultLine,
    parseRules: () => parseRules,
    parseSalt: () => parseSalt,
    parseTime: () => parseTime,
    parseTrust: () => parseTrust,
    proofFileName: () => proofFileName,
    publicLookup: () => publicLookup,
    readAnnouncement: () => readAnnouncement,
    readTranscript: () => readTranscript,
    recordLeaf: () => recordLeaf,
    recordLine: () => recordLine,
    recordObject: () => recordObject,
    recordsRoot: () => recordsRoot,
    replaySeed: () => replaySeed,
    rerunDraw: () => rerunDraw,
    resultLeaf: () => resultLeaf,
    resultLine: () => resultLine,
    resultsRoot: () => resultsRoot,
    rootFromInclusionProof: () => rootFromInclusionProof,
    rootOfHashes: () => rootOfHashes,
    rulesDigest: () => rulesDigest,
    rulesJson: () => rulesJson,
    sealLookupEntry: () => sealLookupEntry,
    secretWeakness: () => secretWeakness,
    seedInput: () => seedInput,
    sha256: () => sha2562,
    sha512: () => sha5122,
    sourceValueProblem: () => sourceValueProblem,
    splitLines: () => splitLines,
    taggedHash: () => taggedHash,
    taggedMessage: () => taggedMessage,
    ticket: () => ticket,
    ticketMaker: () => ticketMaker,
    toHex: () => toHex,
    utf8: () => utf8,
    verifyInclusion: () => verifyInclusion
  });

  // src/errors.js
  var SENSITIVE_FIELDS = /* @__PURE__ */ new Set(["name", "document_number", "guardian_contact", "salt"]);
  var AllocError = class extends Error {
    /**
     * @param {string} problem what is wrong, as a complete sentence
     * @param {{field?: string, value?: unknown, row?: number, source?: string, hint?: string}} [where]
     */
    constructor(problem, { field, value, row, source, hint } = {}) {
      const sensitive = field !== void 0 && SENSITIVE_FIELDS.has(field);
      const parts = [];
      if (source !== void 0) parts.push(source);
      if (row !== void 0) parts.push(`row ${row}`);
      if (field !== void 0) parts.push(`field '${field}'`);
      let text = problem;
      if (value !== void 0 && !sensitive) text += ` (value: ${JSON.stringify(value)})`;
      if (parts.length) text += ` [${parts.join(", ")}]`;
      if (hint !== void 0) text += `. ${hint}`;
      super(text);
      this.name = new.target.name;
      this.problem = problem;
      this.field = field;
      this.value = sensitive ? void 0 : value;
      this.row = row;
      this.source = source;
      this.hint = hint;
    }
  };
  var InputError = class extends AllocError {
  };
  var RulesError = class extends AllocError {
  };
  var DuplicateError = class extends InputError {
  };
  var MalformedDocumentError = class extends InputError {
  };
  var TrustError = class extends InputError {
  };
  var VerificationError = class extends AllocError {
  };

  // src/bytes.js
  var encoder = new TextEncoder();
  var decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  function utf8(text) {
    return encoder.encode(text);
  }
  function fromUtf8(bytes, field = "text") {
    try {
      return decoder.decode(bytes);
    } catch (cause) {
      throw new InputError("The bytes are not valid UTF-8.", { field, hint: "Use the file exactly as published." });
    }
  }
  var HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
  function toHex(bytes) {
    let out = "";
    for (let i = 0; i < bytes.length; i++) out += HEX[bytes[i]];
    return out;
  }
  var HEX_RE = /^(?:[0-9a-f]{2})*$/;
  function fromHex(text, { field = "hex", length } = {}) {
    if (typeof text !== "string" || !HEX_RE.test(text)) {
      throw new InputError("The value is not lower-case hexadecimal.", {
        field,
        hint: "Write bytes as pairs of the digits 0-9 and a-f."
      });
    }
    if (length !== void 0 && text.length !== 2 * length) {
      throw new InputError(`The value must be ${length} bytes (${2 * length} hex digits), not ${text.length / 2}.`, {
        field
      });
    }
    const out = new Uint8Array(text.length / 2);
    for (let i = 0; i < out.length; i++) out[i] = parseInt(text.substr(2 * i, 2), 16);
    return out;
  }
  function concatBytes(...parts) {
    let size = 0;
    for (const p of parts) size += p.length;
    const out = new Uint8Array(size);
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
  function bytesEqual(a, b) {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  function compareCodePoints(a, b) {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) {
      let x = a.charCodeAt(i);
      let y = b.charCodeAt(i);
      if (x !== y) {
        if (x >= 55296 && y >= 55296) {
          x = x >= 57344 ? x - 2048 : x + 8192;
          y = y >= 57344 ? y - 2048 : y + 8192;
        }
        return x - y;
      }
    }
    return a.length - b.length;
  }
  function codePointLength(text) {
    let n = text.length;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c >= 55296 && c <= 56319 && i + 1 < text.length) {
        const d = text.charCodeAt(i + 1);
        if (d >= 56320 && d <= 57343) {
          n--;
          i++;
        }
      }
    }
    return n;
  }
  function hasLoneSurrogate(text) {
    return /\p{Cs}/u.test(text);
  }
  var PYTHON_SPACE = "\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";

  // vendor/noble-hashes/_u64.js
  var U32_MASK64 = /* @__PURE__ */ (() => BigInt(2 ** 32 - 1))();
  var _32n = /* @__PURE__ */ BigInt(32);
  function fromBig(n, le = false) {
    if (le)
      return { h: Number(n & U32_MASK64), l: Number(n >> _32n & U32_MASK64) };
    return { h: Number(n >> _32n & U32_MASK64) | 0, l: Number(n & U32_MASK64) | 0 };
  }
  function split(lst, le = false) {
    const len = lst.length;
    let Ah = new Uint32Array(len);
    let Al = new Uint32Array(len);
    for (let i = 0; i < len; i++) {
      const { h, l } = fromBig(lst[i], le);
      [Ah[i], Al[i]] = [h, l];
    }
    return [Ah, Al];
  }
  var fromNumH = (n) => n / 2 ** 32 | 0;
  var fromNumL = (n) => n >>> 0;
  function setU64FromNum(view, byteOffset, n, isLE2) {
    const h = fromNumH(n);
    const l = fromNumL(n);
    view.setUint32(byteOffset, isLE2 ? l : h, isLE2);
    view.setUint32(byteOffset + 4, isLE2 ? h : l, isLE2);
  }
  var shrSH = (h, _l, s) => h >>> s;
  var shrSL = (h, l, s) => h << 32 - s | l >>> s;
  var rotrSH = (h, l, s) => h >>> s | l << 32 - s;
  var rotrSL = (h, l, s) => h << 32 - s | l >>> s;
  var rotrBH = (h, l, s) => h << 64 - s | l >>> s - 32;
  var rotrBL = (h, l, s) => h >>> s - 32 | l << 64 - s;
  function add(Ah, Al, Bh, Bl) {
    const l = (Al >>> 0) + (Bl >>> 0);
    return { h: Ah + Bh + (l / 2 ** 32 | 0) | 0, l: l | 0 };
  }
  var add3L = (Al, Bl, Cl) => (Al >>> 0) + (Bl >>> 0) + (Cl >>> 0);
  var add3H = (low, Ah, Bh, Ch) => Ah + Bh + Ch + (low / 2 ** 32 | 0) | 0;
  var add4L = (Al, Bl, Cl, Dl) => (Al >>> 0) + (Bl >>> 0) + (Cl >>> 0) + (Dl >>> 0);
  var add4H = (low, Ah, Bh, Ch, Dh) => Ah + Bh + Ch + Dh + (low / 2 ** 32 | 0) | 0;
  var add5L = (Al, Bl, Cl, Dl, El) => (Al >>> 0) + (Bl >>> 0) + (Cl >>> 0) + (Dl >>> 0) + (El >>> 0);
  var add5H = (low, Ah, Bh, Ch, Dh, Eh) => Ah + Bh + Ch + Dh + Eh + (low / 2 ** 32 | 0) | 0;

  // vendor/noble-hashes/utils.js
  function isBytes(a) {
    return a instanceof Uint8Array || ArrayBuffer.isView(a) && a.constructor.name === "Uint8Array" && "BYTES_PER_ELEMENT" in a && a.BYTES_PER_ELEMENT === 1;
  }
  var atitle = (title) => title ? `"${title}" ` : "";
  function anumber(n, title = "") {
    if (typeof n !== "number")
      throw new TypeError(atitle(title) + "expected number, got " + typeof n);
    if (!Number.isSafeInteger(n) || n < 0)
      throw new RangeError(atitle(title) + "expected integer >= 0, got " + n);
    return n;
  }
  function abytes(value, length, title = "") {
    if (isBytes(value) && (length === void 0 || value.length === length))
      return value;
    if (length !== void 0)
      anumber(length, "length");
    const bytes = isBytes(value);
    const ofLen = length !== void 0 ? ` of length ${length}` : "";
    const got = bytes ? `length=${value.length}` : `type=${typeof value}`;
    const message = atitle(title) + "expected Uint8Array" + ofLen + ", got " + got;
    if (!bytes)
      throw new TypeError(message);
    throw new RangeError(message);
  }
  function ahash(h) {
    if (typeof h !== "function" || typeof h.create !== "function")
      throw new TypeError("expected hash wrapped by utils.createHasher");
    anumber(h.outputLen);
    anumber(h.blockLen);
    if (h.outputLen < 1 || h.blockLen < 1)
      throw new Error("hash blockLen / outputLen must be >= 1");
  }
  var aobject = (value, label) => {
    if (value === null || typeof value !== "object" || Array.isArray(value))
      throw new TypeError((label === "object" ? "" : `"${label}" `) + "expected object, got type=" + typeof value);
  };
  var aopts = (value, label) => {
    aobject(value, label);
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null)
      throw new TypeError(`"${label}" expected plain object`);
    if (Object.hasOwn(value, "__proto__"))
      throw new TypeError(`"${label}.__proto__" is not allowed`);
  };
  function aexists(instance, checkFinished = true) {
    if (instance.destroyed)
      throw new Error("hash was destroyed");
    if (checkFinished && instance.finished)
      throw new Error("digest() was already called");
  }
  function aoutput(out, instance) {
    abytes(out, void 0, "output");
    const min = instance.outputLen;
    if (!(out.length >= min)) {
      throw new RangeError('"output" expected length >= ' + min);
    }
  }
  function clean(...arrays) {
    for (let i = 0; i < arrays.length; i++) {
      arrays[i].fill(0);
    }
  }
  function createView(arr) {
    return new DataView(arr.buffer, arr.byteOffset, arr.byteLength);
  }
  function rotr(word, shift) {
    return word << 32 - shift | word >>> shift;
  }
  function checkOpts(defaults, opts, title = "opts") {
    aopts(defaults, "defaults");
    if (opts !== void 0)
      aopts(opts, title);
    const merged = Object.assign(/* @__PURE__ */ Object.create(null), defaults, opts);
    return merged;
  }
  function createHasher(hashCons, info = {}) {
    if (typeof hashCons !== "function")
      throw new TypeError('"hashCons" expected function, got type=' + typeof hashCons);
    info = checkOpts({}, info, "info");
    const hashC = (msg, opts) => hashCons(opts).update(msg).digest();
    const tmp = hashCons(void 0);
    hashC.outputLen = tmp.outputLen;
    hashC.blockLen = tmp.blockLen;
    hashC.canXOF = tmp.canXOF;
    hashC.create = (opts) => hashCons(opts);
    Object.assign(hashC, info);
    return Object.freeze(hashC);
  }
  var oidNist = (suffix) => ({
    // Current NIST hashAlgs suffixes used here fit in one DER subidentifier octet.
    // Larger suffix values would need base-128 OID encoding and a different length byte.
    oid: Uint8Array.from([6, 9, 96, 134, 72, 1, 101, 3, 4, 2, suffix])
  });

  // vendor/noble-hashes/_md.js
  function Chi(a, b, c) {
    return a & b ^ ~a & c;
  }
  function Maj(a, b, c) {
    return a & b ^ a & c ^ b & c;
  }
  var HashMD = class {
    constructor(blockLen, outputLen, padOffset, isLE2) {
      __publicField(this, "blockLen");
      __publicField(this, "outputLen");
      __publicField(this, "canXOF", false);
      __publicField(this, "padOffset");
      __publicField(this, "isLE");
      // For partial updates less than block size
      __publicField(this, "buffer");
      __publicField(this, "view");
      __publicField(this, "finished", false);
      __publicField(this, "length", 0);
      __publicField(this, "pos", 0);
      __publicField(this, "destroyed", false);
      this.blockLen = blockLen;
      this.outputLen = outputLen;
      this.padOffset = padOffset;
      this.isLE = isLE2;
      this.buffer = new Uint8Array(blockLen);
      this.view = createView(this.buffer);
    }
    update(data) {
      aexists(this);
      abytes(data);
      const { view, buffer, blockLen } = this;
      const len = data.length;
      let processed = false;
      for (let pos = 0; pos < len; ) {
        const take = Math.min(blockLen - this.pos, len - pos);
        if (take === blockLen) {
          const dataView = createView(data);
          for (; blockLen <= len - pos; pos += blockLen)
            this.process(dataView, pos);
          processed = true;
          continue;
        }
        buffer.set(pos === 0 && take === len ? data : data.subarray(pos, pos + take), this.pos);
        this.pos += take;
        pos += take;
        if (this.pos === blockLen) {
          this.process(view, 0);
          this.pos = 0;
          processed = true;
        }
      }
      this.length += data.length;
      if (processed)
        this.roundClean();
      return this;
    }
    digestInto(out) {
      aexists(this);
      aoutput(out, this);
      this.finished = true;
      const { buffer, view, blockLen, isLE: isLE2 } = this;
      let { pos } = this;
      buffer[pos++] = 128;
      buffer.fill(0, pos);
      if (this.padOffset > blockLen - pos) {
        this.process(view, 0);
        buffer.fill(0);
      }
      setU64FromNum(view, blockLen - 8, this.length * 8, isLE2);
      this.process(view, 0);
      this.roundClean();
      const oview = out === buffer ? view : createView(out);
      const len = this.outputLen;
      const outLen = len / 4;
      const state = this.get();
      if (len % 4 || outLen > state.length)
        throw new Error("invalid outputLen");
      for (let i = 0; i < outLen; i++)
        oview.setUint32(4 * i, state[i], isLE2);
    }
    digest() {
      const { buffer, outputLen } = this;
      this.digestInto(buffer);
      const res = buffer.slice(0, outputLen);
      this.destroy();
      return res;
    }
    _cloneIntoMeta(to) {
      const { buffer, length, finished, destroyed, pos } = this;
      to.destroyed = destroyed;
      to.finished = finished;
      to.length = length;
      to.pos = pos;
      if (pos)
        to.buffer.set(buffer);
      return to;
    }
    clone() {
      return this._cloneInto();
    }
  };
  var SHA256_IV = /* @__PURE__ */ Uint32Array.from([
    1779033703,
    3144134277,
    1013904242,
    2773480762,
    1359893119,
    2600822924,
    528734635,
    1541459225
  ]);
  var SHA512_IV = /* @__PURE__ */ Uint32Array.from([
    1779033703,
    4089235720,
    3144134277,
    2227873595,
    1013904242,
    4271175723,
    2773480762,
    1595750129,
    1359893119,
    2917565137,
    2600822924,
    725511199,
    528734635,
    4215389547,
    1541459225,
    327033209
  ]);

  // vendor/noble-hashes/sha2.js
  var SHA256_K = /* @__PURE__ */ Uint32Array.from([
    1116352408,
    1899447441,
    3049323471,
    3921009573,
    961987163,
    1508970993,
    2453635748,
    2870763221,
    3624381080,
    310598401,
    607225278,
    1426881987,
    1925078388,
    2162078206,
    2614888103,
    3248222580,
    3835390401,
    4022224774,
    264347078,
    604807628,
    770255983,
    1249150122,
    1555081692,
    1996064986,
    2554220882,
    2821834349,
    2952996808,
    3210313671,
    3336571891,
    3584528711,
    113926993,
    338241895,
    666307205,
    773529912,
    1294757372,
    1396182291,
    1695183700,
    1986661051,
    2177026350,
    2456956037,
    2730485921,
    2820302411,
    3259730800,
    3345764771,
    3516065817,
    3600352804,
    4094571909,
    275423344,
    430227734,
    506948616,
    659060556,
    883997877,
    958139571,
    1322822218,
    1537002063,
    1747873779,
    1955562222,
    2024104815,
    2227730452,
    2361852424,
    2428436474,
    2756734187,
    3204031479,
    3329325298
  ]);
  var SHA256_W = /* @__PURE__ */ new Uint32Array(64);
  var SHA2_32B = class extends HashMD {
    constructor(outputLen, IV) {
      super(64, outputLen, 8, false);
      // We cannot use array here since array allows indexing by variable
      // which means optimizer/compiler cannot use registers.
      // Numeric initializers matter: starting the fields as `undefined` changes
      // V8's field representation and makes sha256 3x slower (measured).
      __publicField(this, "A", 0);
      __publicField(this, "B", 0);
      __publicField(this, "C", 0);
      __publicField(this, "D", 0);
      __publicField(this, "E", 0);
      __publicField(this, "F", 0);
      __publicField(this, "G", 0);
      __publicField(this, "H", 0);
      this.A = IV[0] | 0;
      this.B = IV[1] | 0;
      this.C = IV[2] | 0;
      this.D = IV[3] | 0;
      this.E = IV[4] | 0;
      this.F = IV[5] | 0;
      this.G = IV[6] | 0;
      this.H = IV[7] | 0;
    }
    get() {
      const { A, B, C, D, E, F, G: G2, H } = this;
      return [A, B, C, D, E, F, G2, H];
    }
    // prettier-ignore
    set(A, B, C, D, E, F, G2, H) {
      this.A = A | 0;
      this.B = B | 0;
      this.C = C | 0;
      this.D = D | 0;
      this.E = E | 0;
      this.F = F | 0;
      this.G = G2 | 0;
      this.H = H | 0;
    }
    _cloneInto(to) {
      (to ||= new this.constructor()).set(...this.get());
      return this._cloneIntoMeta(to);
    }
    process(view, offset) {
      for (let i = 0; i < 16; i++, offset += 4)
        SHA256_W[i] = view.getUint32(offset, false);
      for (let i = 16; i < 64; i++) {
        const W15 = SHA256_W[i - 15];
        const W2 = SHA256_W[i - 2];
        const s0 = rotr(W15, 7) ^ rotr(W15, 18) ^ W15 >>> 3;
        const s1 = rotr(W2, 17) ^ rotr(W2, 19) ^ W2 >>> 10;
        SHA256_W[i] = s1 + SHA256_W[i - 7] + s0 + SHA256_W[i - 16] | 0;
      }
      let { A, B, C, D, E, F, G: G2, H } = this;
      for (let i = 0; i < 64; i++) {
        const sigma1 = rotr(E, 6) ^ rotr(E, 11) ^ rotr(E, 25);
        const T1 = H + sigma1 + Chi(E, F, G2) + SHA256_K[i] + SHA256_W[i] | 0;
        const sigma0 = rotr(A, 2) ^ rotr(A, 13) ^ rotr(A, 22);
        const T2 = sigma0 + Maj(A, B, C) | 0;
        H = G2;
        G2 = F;
        F = E;
        E = D + T1 | 0;
        D = C;
        C = B;
        B = A;
        A = T1 + T2 | 0;
      }
      A = A + this.A | 0;
      B = B + this.B | 0;
      C = C + this.C | 0;
      D = D + this.D | 0;
      E = E + this.E | 0;
      F = F + this.F | 0;
      G2 = G2 + this.G | 0;
      H = H + this.H | 0;
      this.set(A, B, C, D, E, F, G2, H);
    }
    roundClean() {
      clean(SHA256_W);
    }
    destroy() {
      this.destroyed = true;
      this.set(0, 0, 0, 0, 0, 0, 0, 0);
      clean(this.buffer);
    }
  };
  var _SHA256 = class extends SHA2_32B {
    constructor() {
      super(32, SHA256_IV);
    }
  };
  var K512 = /* @__PURE__ */ (() => split([
    "0x428a2f98d728ae22",
    "0x7137449123ef65cd",
    "0xb5c0fbcfec4d3b2f",
    "0xe9b5dba58189dbbc",
    "0x3956c25bf348b538",
    "0x59f111f1b605d019",
    "0x923f82a4af194f9b",
    "0xab1c5ed5da6d8118",
    "0xd807aa98a3030242",
    "0x12835b0145706fbe",
    "0x243185be4ee4b28c",
    "0x550c7dc3d5ffb4e2",
    "0x72be5d74f27b896f",
    "0x80deb1fe3b1696b1",
    "0x9bdc06a725c71235",
    "0xc19bf174cf692694",
    "0xe49b69c19ef14ad2",
    "0xefbe4786384f25e3",
    "0x0fc19dc68b8cd5b5",
    "0x240ca1cc77ac9c65",
    "0x2de92c6f592b0275",
    "0x4a7484aa6ea6e483",
    "0x5cb0a9dcbd41fbd4",
    "0x76f988da831153b5",
    "0x983e5152ee66dfab",
    "0xa831c66d2db43210",
    "0xb00327c898fb213f",
    "0xbf597fc7beef0ee4",
    "0xc6e00bf33da88fc2",
    "0xd5a79147930aa725",
    "0x06ca6351e003826f",
    "0x142929670a0e6e70",
    "0x27b70a8546d22ffc",
    "0x2e1b21385c26c926",
    "0x4d2c6dfc5ac42aed",
    "0x53380d139d95b3df",
    "0x650a73548baf63de",
    "0x766a0abb3c77b2a8",
    "0x81c2c92e47edaee6",
    "0x92722c851482353b",
    "0xa2bfe8a14cf10364",
    "0xa81a664bbc423001",
    "0xc24b8b70d0f89791",
    "0xc76c51a30654be30",
    "0xd192e819d6ef5218",
    "0xd69906245565a910",
    "0xf40e35855771202a",
    "0x106aa07032bbd1b8",
    "0x19a4c116b8d2d0c8",
    "0x1e376c085141ab53",
    "0x2748774cdf8eeb99",
    "0x34b0bcb5e19b48a8",
    "0x391c0cb3c5c95a63",
    "0x4ed8aa4ae3418acb",
    "0x5b9cca4f7763e373",
    "0x682e6ff3d6b2b8a3",
    "0x748f82ee5defb2fc",
    "0x78a5636f43172f60",
    "0x84c87814a1f0ab72",
    "0x8cc702081a6439ec",
    "0x90befffa23631e28",
    "0xa4506cebde82bde9",
    "0xbef9a3f7b2c67915",
    "0xc67178f2e372532b",
    "0xca273eceea26619c",
    "0xd186b8c721c0c207",
    "0xeada7dd6cde0eb1e",
    "0xf57d4f7fee6ed178",
    "0x06f067aa72176fba",
    "0x0a637dc5a2c898a6",
    "0x113f9804bef90dae",
    "0x1b710b35131c471b",
    "0x28db77f523047d84",
    "0x32caab7b40c72493",
    "0x3c9ebe0a15c9bebc",
    "0x431d67c49c100d4c",
    "0x4cc5d4becb3e42b6",
    "0x597f299cfc657e2a",
    "0x5fcb6fab3ad6faec",
    "0x6c44198c4a475817"
  ].map((n) => BigInt(n))))();
  var SHA512_Kh = /* @__PURE__ */ (() => K512[0])();
  var SHA512_Kl = /* @__PURE__ */ (() => K512[1])();
  var SHA512_W_H = /* @__PURE__ */ new Uint32Array(80);
  var SHA512_W_L = /* @__PURE__ */ new Uint32Array(80);
  var SHA2_64B = class extends HashMD {
    constructor(outputLen, IV) {
      super(128, outputLen, 16, false);
      // We cannot use array here since array allows indexing by variable
      // which means optimizer/compiler cannot use registers.
      // h -- high 32 bits, l -- low 32 bits
      // Numeric initializers matter: starting the fields as `undefined` changes
      // V8's field representation and slows hashing down (measured on sha256).
      __publicField(this, "Ah", 0);
      __publicField(this, "Al", 0);
      __publicField(this, "Bh", 0);
      __publicField(this, "Bl", 0);
      __publicField(this, "Ch", 0);
      __publicField(this, "Cl", 0);
      __publicField(this, "Dh", 0);
      __publicField(this, "Dl", 0);
      __publicField(this, "Eh", 0);
      __publicField(this, "El", 0);
      __publicField(this, "Fh", 0);
      __publicField(this, "Fl", 0);
      __publicField(this, "Gh", 0);
      __publicField(this, "Gl", 0);
      __publicField(this, "Hh", 0);
      __publicField(this, "Hl", 0);
      this.Ah = IV[0] | 0;
      this.Al = IV[1] | 0;
      this.Bh = IV[2] | 0;
      this.Bl = IV[3] | 0;
      this.Ch = IV[4] | 0;
      this.Cl = IV[5] | 0;
      this.Dh = IV[6] | 0;
      this.Dl = IV[7] | 0;
      this.Eh = IV[8] | 0;
      this.El = IV[9] | 0;
      this.Fh = IV[10] | 0;
      this.Fl = IV[11] | 0;
      this.Gh = IV[12] | 0;
      this.Gl = IV[13] | 0;
      this.Hh = IV[14] | 0;
      this.Hl = IV[15] | 0;
    }
    // prettier-ignore
    get() {
      const { Ah, Al, Bh, Bl, Ch, Cl, Dh, Dl, Eh, El, Fh, Fl, Gh, Gl, Hh, Hl } = this;
      return [Ah, Al, Bh, Bl, Ch, Cl, Dh, Dl, Eh, El, Fh, Fl, Gh, Gl, Hh, Hl];
    }
    // prettier-ignore
    set(Ah, Al, Bh, Bl, Ch, Cl, Dh, Dl, Eh, El, Fh, Fl, Gh, Gl, Hh, Hl) {
      this.Ah = Ah | 0;
      this.Al = Al | 0;
      this.Bh = Bh | 0;
      this.Bl = Bl | 0;
      this.Ch = Ch | 0;
      this.Cl = Cl | 0;
      this.Dh = Dh | 0;
      this.Dl = Dl | 0;
      this.Eh = Eh | 0;
      this.El = El | 0;
      this.Fh = Fh | 0;
      this.Fl = Fl | 0;
      this.Gh = Gh | 0;
      this.Gl = Gl | 0;
      this.Hh = Hh | 0;
      this.Hl = Hl | 0;
    }
    _cloneInto(to) {
      (to ||= new this.constructor()).set(...this.get());
      return this._cloneIntoMeta(to);
    }
    process(view, offset) {
      for (let i = 0; i < 16; i++, offset += 4) {
        SHA512_W_H[i] = view.getUint32(offset);
        SHA512_W_L[i] = view.getUint32(offset += 4);
      }
      for (let i = 16; i < 80; i++) {
        const W15h = SHA512_W_H[i - 15] | 0;
        const W15l = SHA512_W_L[i - 15] | 0;
        const s0h = rotrSH(W15h, W15l, 1) ^ rotrSH(W15h, W15l, 8) ^ shrSH(W15h, W15l, 7);
        const s0l = rotrSL(W15h, W15l, 1) ^ rotrSL(W15h, W15l, 8) ^ shrSL(W15h, W15l, 7);
        const W2h = SHA512_W_H[i - 2] | 0;
        const W2l = SHA512_W_L[i - 2] | 0;
        const s1h = rotrSH(W2h, W2l, 19) ^ rotrBH(W2h, W2l, 61) ^ shrSH(W2h, W2l, 6);
        const s1l = rotrSL(W2h, W2l, 19) ^ rotrBL(W2h, W2l, 61) ^ shrSL(W2h, W2l, 6);
        const SUMl = add4L(s0l, s1l, SHA512_W_L[i - 7], SHA512_W_L[i - 16]);
        const SUMh = add4H(SUMl, s0h, s1h, SHA512_W_H[i - 7], SHA512_W_H[i - 16]);
        SHA512_W_H[i] = SUMh | 0;
        SHA512_W_L[i] = SUMl | 0;
      }
      let { Ah, Al, Bh, Bl, Ch, Cl, Dh, Dl, Eh, El, Fh, Fl, Gh, Gl, Hh, Hl } = this;
      for (let i = 0; i < 80; i++) {
        const sigma1h = rotrSH(Eh, El, 14) ^ rotrSH(Eh, El, 18) ^ rotrBH(Eh, El, 41);
        const sigma1l = rotrSL(Eh, El, 14) ^ rotrSL(Eh, El, 18) ^ rotrBL(Eh, El, 41);
        const CHIh = Eh & Fh ^ ~Eh & Gh;
        const CHIl = El & Fl ^ ~El & Gl;
        const T1ll = add5L(Hl, sigma1l, CHIl, SHA512_Kl[i], SHA512_W_L[i]);
        const T1h = add5H(T1ll, Hh, sigma1h, CHIh, SHA512_Kh[i], SHA512_W_H[i]);
        const T1l = T1ll | 0;
        const sigma0h = rotrSH(Ah, Al, 28) ^ rotrBH(Ah, Al, 34) ^ rotrBH(Ah, Al, 39);
        const sigma0l = rotrSL(Ah, Al, 28) ^ rotrBL(Ah, Al, 34) ^ rotrBL(Ah, Al, 39);
        const MAJh = Ah & Bh ^ Ah & Ch ^ Bh & Ch;
        const MAJl = Al & Bl ^ Al & Cl ^ Bl & Cl;
        Hh = Gh | 0;
        Hl = Gl | 0;
        Gh = Fh | 0;
        Gl = Fl | 0;
        Fh = Eh | 0;
        Fl = El | 0;
        ({ h: Eh, l: El } = add(Dh | 0, Dl | 0, T1h | 0, T1l | 0));
        Dh = Ch | 0;
        Dl = Cl | 0;
        Ch = Bh | 0;
        Cl = Bl | 0;
        Bh = Ah | 0;
        Bl = Al | 0;
        const All = add3L(T1l, sigma0l, MAJl);
        Ah = add3H(All, T1h, sigma0h, MAJh);
        Al = All | 0;
      }
      ({ h: Ah, l: Al } = add(this.Ah | 0, this.Al | 0, Ah | 0, Al | 0));
      ({ h: Bh, l: Bl } = add(this.Bh | 0, this.Bl | 0, Bh | 0, Bl | 0));
      ({ h: Ch, l: Cl } = add(this.Ch | 0, this.Cl | 0, Ch | 0, Cl | 0));
      ({ h: Dh, l: Dl } = add(this.Dh | 0, this.Dl | 0, Dh | 0, Dl | 0));
      ({ h: Eh, l: El } = add(this.Eh | 0, this.El | 0, Eh | 0, El | 0));
      ({ h: Fh, l: Fl } = add(this.Fh | 0, this.Fl | 0, Fh | 0, Fl | 0));
      ({ h: Gh, l: Gl } = add(this.Gh | 0, this.Gl | 0, Gh | 0, Gl | 0));
      ({ h: Hh, l: Hl } = add(this.Hh | 0, this.Hl | 0, Hh | 0, Hl | 0));
      this.set(Ah, Al, Bh, Bl, Ch, Cl, Dh, Dl, Eh, El, Fh, Fl, Gh, Gl, Hh, Hl);
    }
    roundClean() {
      clean(SHA512_W_H, SHA512_W_L);
    }
    destroy() {
      this.destroyed = true;
      clean(this.buffer);
      this.set(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    }
  };
  var _SHA512 = class extends SHA2_64B {
    constructor() {
      super(64, SHA512_IV);
    }
  };
  var sha256 = /* @__PURE__ */ createHasher(
    () => new _SHA256(),
    /* @__PURE__ */ oidNist(1)
  );
  var sha512 = /* @__PURE__ */ createHasher(
    () => new _SHA512(),
    /* @__PURE__ */ oidNist(3)
  );

  // vendor/noble-hashes/hmac.js
  var _HMAC = class {
    constructor(hash, key) {
      __publicField(this, "oHash");
      __publicField(this, "iHash");
      __publicField(this, "blockLen");
      __publicField(this, "outputLen");
      __publicField(this, "canXOF", false);
      __publicField(this, "finished", false);
      __publicField(this, "destroyed", false);
      ahash(hash);
      abytes(key, void 0, "key");
      this.iHash = hash.create();
      if (typeof this.iHash.update !== "function")
        throw new Error("expected Hash instance");
      this.blockLen = this.iHash.blockLen;
      this.outputLen = this.iHash.outputLen;
      const blockLen = this.blockLen;
      const pad = new Uint8Array(blockLen);
      pad.set(key.length > blockLen ? hash.create().update(key).digest() : key);
      for (let i = 0; i < pad.length; i++)
        pad[i] ^= 54;
      this.iHash.update(pad);
      this.oHash = hash.create();
      for (let i = 0; i < pad.length; i++)
        pad[i] ^= 54 ^ 92;
      this.oHash.update(pad);
      clean(pad);
    }
    update(buf) {
      aexists(this);
      this.iHash.update(buf);
      return this;
    }
    digestInto(out) {
      aexists(this);
      aoutput(out, this);
      this.finished = true;
      const buf = out.subarray(0, this.outputLen);
      this.iHash.digestInto(buf);
      this.oHash.update(buf);
      this.oHash.digestInto(buf);
      this.destroy();
    }
    digest() {
      const out = new Uint8Array(this.oHash.outputLen);
      this.digestInto(out);
      return out;
    }
    _cloneInto(to) {
      to ||= Object.create(Object.getPrototypeOf(this), {});
      const { oHash, iHash, finished, destroyed, blockLen, outputLen, canXOF } = this;
      to = to;
      to.finished = finished;
      to.destroyed = destroyed;
      to.blockLen = blockLen;
      to.outputLen = outputLen;
      to.canXOF = canXOF;
      to.oHash = oHash._cloneInto(to.oHash);
      to.iHash = iHash._cloneInto(to.iHash);
      return to;
    }
    clone() {
      return this._cloneInto();
    }
    destroy() {
      this.destroyed = true;
      this.oHash.destroy();
      this.iHash.destroy();
    }
  };
  var hmac = /* @__PURE__ */ (() => {
    const hmac_ = ((hash, key, message) => new _HMAC(hash, key).update(message).digest());
    hmac_.create = (hash, key) => new _HMAC(hash, key);
    return hmac_;
  })();

  // vendor/noble-hashes/hkdf.js
  var HKDF_COUNTER = /* @__PURE__ */ Uint8Array.of(0);
  var EMPTY_BUFFER = /* @__PURE__ */ Uint8Array.of();
  function expand(hash, prk, info, length = 32, _recycled) {
    ahash(hash);
    anumber(length, "length");
    abytes(prk, void 0, "prk");
    const olen = hash.outputLen;
    if (prk.length < olen)
      throw new Error('"prk" must be at least HashLen octets');
    if (length > 255 * olen)
      throw new Error("Length must be <= 255*HashLen");
    const blocks = Math.ceil(length / olen);
    if (info === void 0)
      info = EMPTY_BUFFER;
    else
      abytes(info, void 0, "info");
    if (!blocks) {
      if (_recycled)
        clean(prk);
      return new Uint8Array();
    }
    const okm = _recycled && blocks === 1 ? prk : new Uint8Array(blocks * olen);
    const { iHash, oHash } = hmac.create(hash, prk);
    const T = _recycled ? prk : new Uint8Array(olen);
    const worker = blocks > 1 ? _recycled?.iHash || hash.create() : void 0;
    for (let counter = 0; counter < blocks - 1; counter++) {
      HKDF_COUNTER[0] = counter + 1;
      const iWork = iHash._cloneInto(worker);
      if (counter)
        iWork.update(T);
      iWork.update(info).update(HKDF_COUNTER).digestInto(T);
      oHash._cloneInto(worker).update(T).digestInto(T);
      okm.set(T, olen * counter);
    }
    HKDF_COUNTER[0] = blocks;
    if (blocks > 1)
      iHash.update(T);
    iHash.update(info).update(HKDF_COUNTER).digestInto(T);
    oHash.update(T).digestInto(T);
    okm.set(T, olen * (blocks - 1));
    iHash.destroy();
    oHash.destroy();
    worker?.destroy();
    if (T !== okm)
      clean(T);
    clean(HKDF_COUNTER);
    if (length === okm.length)
      return okm;
    const res = okm.slice(0, length);
    clean(okm);
    return res;
  }
  var hkdf = (hash, ikm, salt, info, length) => {
    ahash(hash);
    if (salt === void 0)
      salt = new Uint8Array(hash.outputLen);
    const HMAC = hmac.create(hash, salt).update(ikm);
    return expand(hash, HMAC.digest(), info, length, HMAC);
  };

  // vendor/noble-ciphers/utils.js
  /*! noble-ciphers - MIT License (c) 2023 Paul Miller (paulmillr.com) */
  function isBytes2(a) {
    return a instanceof Uint8Array || ArrayBuffer.isView(a) && a.constructor.name === "Uint8Array" && "BYTES_PER_ELEMENT" in a && a.BYTES_PER_ELEMENT === 1;
  }
  var atitle2 = (title) => title ? `"${title}" ` : "";
  function abool(value, title = "") {
    if (typeof value !== "boolean")
      throw new TypeError(atitle2(title) + "expected boolean, got type=" + typeof value);
    return value;
  }
  function anumber2(n, title = "") {
    if (typeof n !== "number")
      throw new TypeError(atitle2(title) + "expected number, got " + typeof n);
    if (!Number.isSafeInteger(n) || n < 0)
      throw new RangeError(atitle2(title) + "expected integer >= 0, got " + n);
    return n;
  }
  function abytes2(value, length, title = "") {
    if (isBytes2(value) && (length === void 0 || value.length === length))
      return value;
    if (length !== void 0)
      anumber2(length, "length");
    const bytes = isBytes2(value);
    const ofLen = length !== void 0 ? ` of length ${length}` : "";
    const got = bytes ? `length=${value.length}` : `type=${typeof value}`;
    const message = atitle2(title) + "expected Uint8Array" + ofLen + ", got " + got;
    if (!bytes)
      throw new TypeError(message);
    throw new RangeError(message);
  }
  function aexists2(instance, checkFinished = true) {
    if (instance.destroyed)
      throw new Error("hash was destroyed");
    if (checkFinished && instance.finished)
      throw new Error("digest() was already called");
  }
  function aoutput2(out, instance) {
    abytes2(out, void 0, "output");
    const min = instance.outputLen;
    if (!(out.length >= min)) {
      throw new RangeError('"output" expected length >= ' + min);
    }
  }
  function aoutput32(out, instance) {
    aoutput2(out, instance);
    if (!isAligned32(out))
      throw new Error("invalid output, must be aligned");
  }
  function u8(arr) {
    return new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength);
  }
  function u32(arr) {
    return new Uint32Array(arr.buffer, arr.byteOffset, Math.floor(arr.byteLength / 4));
  }
  function clean2(...arrays) {
    for (let i = 0; i < arrays.length; i++) {
      arrays[i].fill(0);
    }
  }
  function createView2(arr) {
    return new DataView(arr.buffer, arr.byteOffset, arr.byteLength);
  }
  var isLE = /* @__PURE__ */ (() => new Uint8Array(new Uint32Array([287454020]).buffer)[0] === 68)();
  function byteSwap(word) {
    return word << 24 & 4278190080 | word << 8 & 16711680 | word >>> 8 & 65280 | word >>> 24 & 255;
  }
  var swap8IfBE = isLE ? (n) => n : (n) => byteSwap(n) >>> 0;
  function byteSwap32(arr) {
    for (let i = 0; i < arr.length; i++) {
      arr[i] = byteSwap(arr[i]);
    }
    return arr;
  }
  var swap32IfBE = isLE ? (u) => u : byteSwap32;
  function equalBytes(a, b) {
    a = abytes2(a);
    b = abytes2(b);
    if (a.length !== b.length)
      return false;
    let diff = 0;
    for (let i = 0; i < a.length; i++)
      diff |= a[i] ^ b[i];
    return diff === 0;
  }
  function wrapMacConstructor(keyLen, macCons, fromMsg) {
    const mac = macCons;
    const getArgs = fromMsg || (() => []);
    const macC = (msg, key) => mac(key, ...getArgs(msg)).update(msg).digest();
    const tmp = mac(new Uint8Array(keyLen), ...getArgs(new Uint8Array(0)));
    macC.outputLen = tmp.outputLen;
    macC.blockLen = tmp.blockLen;
    macC.create = (key, ...args) => mac(key, ...args);
    return macC;
  }
  var wrapCipher = /* @__NO_SIDE_EFFECTS__ */ (params, constructor) => {
    function wrappedCipher(key, ...args) {
      abytes2(key, void 0, "key");
      if (params.nonceLength !== void 0) {
        const nonce = args[0];
        abytes2(nonce, params.varSizeNonce ? void 0 : params.nonceLength, "nonce");
      }
      const tagl = params.tagLength;
      const aadStart = params.nonceLength !== void 0 ? 1 : 0;
      if (!params.withAAD) {
        for (let i = aadStart; i < args.length; i++)
          if (isBytes2(args[i]))
            throw new Error("AAD not supported");
      }
      if (params.withAAD && args[aadStart] !== void 0)
        abytes2(args[aadStart], void 0, "AAD");
      const cipher = constructor(key, ...args);
      const checkOutput = (fnLength, output) => {
        if (output !== void 0) {
          if (fnLength !== 2)
            throw new Error("cipher output not supported");
          abytes2(output, void 0, "output");
        }
      };
      let called = false;
      const wrCipher = {
        encrypt(data, output) {
          if (called)
            throw new Error("cannot encrypt() twice with same key + nonce");
          called = true;
          abytes2(data, void 0, "data");
          checkOutput(cipher.encrypt.length, output);
          return cipher.encrypt(data, output);
        },
        decrypt(data, output) {
          abytes2(data, void 0, "data");
          if (tagl && data.length < tagl)
            throw new Error('"ciphertext" expected length >= tagLength=' + tagl);
          checkOutput(cipher.decrypt.length, output);
          return cipher.decrypt(data, output);
        }
      };
      return wrCipher;
    }
    Object.assign(wrappedCipher, params);
    return wrappedCipher;
  };
  function getOutput(expectedLength, out, onlyAligned = true) {
    if (out === void 0)
      return new Uint8Array(expectedLength);
    abytes2(out, expectedLength, "output");
    if (onlyAligned && !isAligned32(out))
      throw new Error("invalid output, must be aligned");
    return out;
  }
  function u64Lengths(dataLength, aadLength, isLE2) {
    anumber2(dataLength);
    anumber2(aadLength);
    abool(isLE2);
    const num = new Uint8Array(16);
    const view = createView2(num);
    view.setBigUint64(0, BigInt(aadLength), isLE2);
    view.setBigUint64(8, BigInt(dataLength), isLE2);
    return num;
  }
  function isAligned32(bytes) {
    return bytes.byteOffset % 4 === 0;
  }
  function copyBytes(bytes) {
    return Uint8Array.from(abytes2(bytes));
  }

  // vendor/noble-ciphers/_polyval.js
  var BLOCK_SIZE = 16;
  var ZEROS16 = /* @__PURE__ */ new Uint8Array(16);
  var ZEROS32 = /* @__PURE__ */ u32(ZEROS16);
  var POLY = 225;
  var mul2 = (s0, s1, s2, s3) => {
    const hiBit = s3 & 1;
    return {
      s3: s2 << 31 | s3 >>> 1,
      s2: s1 << 31 | s2 >>> 1,
      s1: s0 << 31 | s1 >>> 1,
      // NIST SP 800-38D §6.3 applies `V >> 1` and XORs R on carry. In this
      // 4x32-bit split, R = 0xe1 || 0^120 lives in the top byte of s0.
      s0: s0 >>> 1 ^ POLY << 24 & -(hiBit & 1)
      // reduce % poly
    };
  };
  var swapLE = (n) => (n >>> 0 & 255) << 24 | (n >>> 8 & 255) << 16 | (n >>> 16 & 255) << 8 | n >>> 24 & 255 | 0;
  var estimateWindow = (bytes) => {
    if (bytes > 64 * 1024)
      return 8;
    if (bytes > 1024)
      return 4;
    return 2;
  };
  var GHASH = class {
    // We select bits per window adaptively based on expectedLength
    constructor(key, expectedLength) {
      __publicField(this, "blockLen", BLOCK_SIZE);
      __publicField(this, "outputLen", BLOCK_SIZE);
      __publicField(this, "s0", 0);
      __publicField(this, "s1", 0);
      __publicField(this, "s2", 0);
      __publicField(this, "s3", 0);
      __publicField(this, "finished", false);
      __publicField(this, "destroyed", false);
      __publicField(this, "t");
      __publicField(this, "W");
      __publicField(this, "windowSize");
      abytes2(key, 16, "key");
      key = copyBytes(key);
      const kView = createView2(key);
      let k0 = kView.getUint32(0, false);
      let k1 = kView.getUint32(4, false);
      let k2 = kView.getUint32(8, false);
      let k3 = kView.getUint32(12, false);
      const doubles = [];
      for (let i = 0; i < 128; i++) {
        doubles.push({ s0: swapLE(k0), s1: swapLE(k1), s2: swapLE(k2), s3: swapLE(k3) });
        ({ s0: k0, s1: k1, s2: k2, s3: k3 } = mul2(k0, k1, k2, k3));
      }
      const W = estimateWindow(expectedLength || 1024);
      if (![1, 2, 4, 8].includes(W))
        throw new Error("ghash: invalid window size, expected 2, 4 or 8");
      this.W = W;
      const bits = 128;
      const windows = bits / W;
      const windowSize = this.windowSize = 2 ** W;
      const items = [];
      for (let w = 0; w < windows; w++) {
        for (let byte = 0; byte < windowSize; byte++) {
          let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
          for (let j = 0; j < W; j++) {
            const bit = byte >>> W - j - 1 & 1;
            if (!bit)
              continue;
            const { s0: d0, s1: d1, s2: d2, s3: d3 } = doubles[W * w + j];
            s0 ^= d0, s1 ^= d1, s2 ^= d2, s3 ^= d3;
          }
          items.push({ s0, s1, s2, s3 });
        }
      }
      this.t = items;
    }
    _updateBlock(s0, s1, s2, s3) {
      s0 ^= this.s0, s1 ^= this.s1, s2 ^= this.s2, s3 ^= this.s3;
      const { W, t, windowSize } = this;
      let o0 = 0, o1 = 0, o2 = 0, o3 = 0;
      const mask = (1 << W) - 1;
      let w = 0;
      for (const num of [s0, s1, s2, s3]) {
        for (let bytePos = 0; bytePos < 4; bytePos++) {
          const byte = num >>> 8 * bytePos & 255;
          for (let bitPos = 8 / W - 1; bitPos >= 0; bitPos--) {
            const bit = byte >>> W * bitPos & mask;
            const { s0: e0, s1: e1, s2: e2, s3: e3 } = t[w * windowSize + bit];
            o0 ^= e0, o1 ^= e1, o2 ^= e2, o3 ^= e3;
            w += 1;
          }
        }
      }
      this.s0 = o0;
      this.s1 = o1;
      this.s2 = o2;
      this.s3 = o3;
    }
    update(data) {
      aexists2(this);
      abytes2(data);
      data = copyBytes(data);
      const b32 = u32(data);
      const blocks = Math.floor(data.length / BLOCK_SIZE);
      const left = data.length % BLOCK_SIZE;
      for (let i = 0; i < blocks; i++) {
        this._updateBlock(swap8IfBE(b32[i * 4 + 0]), swap8IfBE(b32[i * 4 + 1]), swap8IfBE(b32[i * 4 + 2]), swap8IfBE(b32[i * 4 + 3]));
      }
      if (left) {
        ZEROS16.set(data.subarray(blocks * BLOCK_SIZE));
        this._updateBlock(swap8IfBE(ZEROS32[0]), swap8IfBE(ZEROS32[1]), swap8IfBE(ZEROS32[2]), swap8IfBE(ZEROS32[3]));
        clean2(ZEROS32);
      }
      return this;
    }
    destroy() {
      this.destroyed = true;
      const { t } = this;
      for (const elm of t) {
        elm.s0 = 0, elm.s1 = 0, elm.s2 = 0, elm.s3 = 0;
      }
    }
    digestInto(out) {
      aexists2(this);
      aoutput32(out, this);
      this.finished = true;
      const { s0, s1, s2, s3 } = this;
      const o32 = u32(out);
      o32[0] = s0;
      o32[1] = s1;
      o32[2] = s2;
      o32[3] = s3;
      if (!isLE)
        swap32IfBE(o32.subarray(0, BLOCK_SIZE / 4));
    }
    digest() {
      const res = new Uint8Array(BLOCK_SIZE);
      this.digestInto(res);
      this.destroy();
      return res;
    }
  };
  var ghash = /* @__PURE__ */ wrapMacConstructor(16, (key, expectedLength) => new GHASH(key, expectedLength), (msg) => [msg.length]);

  // vendor/noble-ciphers/aes.js
  var BLOCK_SIZE2 = 16;
  var BLOCK_SIZE32 = 4;
  var EMPTY_BLOCK = /* @__PURE__ */ new Uint8Array(BLOCK_SIZE2);
  var POLY2 = 283;
  function validateKeyLength(key) {
    if (![16, 24, 32].includes(key.length))
      throw new Error('"aes key" expected Uint8Array of length 16/24/32, got length=' + key.length);
  }
  function mul22(n) {
    return n << 1 ^ POLY2 & -(n >> 7);
  }
  function mul(a, b) {
    let res = 0;
    for (; b > 0; b >>= 1) {
      res ^= a & -(b & 1);
      a = mul22(a);
    }
    return res;
  }
  var sbox = /* @__PURE__ */ (() => {
    const t = new Uint8Array(256);
    for (let i = 0, x = 1; i < 256; i++, x ^= mul22(x))
      t[i] = x;
    const box = new Uint8Array(256);
    box[0] = 99;
    for (let i = 0; i < 255; i++) {
      let x = t[255 - i];
      x |= x << 8;
      box[t[i]] = (x ^ x >> 4 ^ x >> 5 ^ x >> 6 ^ x >> 7 ^ 99) & 255;
    }
    clean2(t);
    return box;
  })();
  var rotr32_8 = (n) => n << 24 | n >>> 8;
  var rotl32_8 = (n) => n << 8 | n >>> 24;
  function genTtable(sbox2, fn) {
    if (sbox2.length !== 256)
      throw new Error("wrong sbox length");
    const T0 = new Uint32Array(256).map((_, j) => fn(sbox2[j]));
    const T1 = T0.map(rotl32_8);
    const T2 = T1.map(rotl32_8);
    const T3 = T2.map(rotl32_8);
    const T01 = new Uint32Array(256 * 256);
    const T23 = new Uint32Array(256 * 256);
    const sbox22 = new Uint16Array(256 * 256);
    for (let i = 0; i < 256; i++) {
      for (let j = 0; j < 256; j++) {
        const idx = i * 256 + j;
        T01[idx] = T0[i] ^ T1[j];
        T23[idx] = T2[i] ^ T3[j];
        sbox22[idx] = sbox2[i] << 8 | sbox2[j];
      }
    }
    return { sbox: sbox2, sbox2: sbox22, T0, T1, T2, T3, T01, T23 };
  }
  var tableEncoding = /* @__PURE__ */ genTtable(sbox, (s) => mul(s, 3) << 24 | s << 16 | s << 8 | mul(s, 2));
  var xPowers = /* @__PURE__ */ (() => {
    const p = new Uint8Array(16);
    for (let i = 0, x = 1; i < 16; i++, x = mul22(x))
      p[i] = x;
    return p;
  })();
  function expandKeyLE(key) {
    abytes2(key);
    const len = key.length;
    validateKeyLength(key);
    const { sbox2 } = tableEncoding;
    const toClean = [];
    if (!isLE || !isAligned32(key))
      toClean.push(key = copyBytes(key));
    const k32 = swap32IfBE(u32(key));
    const Nk = k32.length;
    const subByte = (n) => applySbox(sbox2, n, n, n, n);
    const xk = new Uint32Array(len + 28);
    xk.set(k32);
    for (let i = Nk; i < xk.length; i++) {
      let t = xk[i - 1];
      if (i % Nk === 0)
        t = subByte(rotr32_8(t)) ^ xPowers[i / Nk - 1];
      else if (Nk > 6 && i % Nk === 4)
        t = subByte(t);
      xk[i] = xk[i - Nk] ^ t;
    }
    clean2(...toClean);
    return xk;
  }
  function apply0123(T01, T23, s0, s1, s2, s3) {
    return T01[s0 << 8 & 65280 | s1 >>> 8 & 255] ^ T23[s2 >>> 8 & 65280 | s3 >>> 24 & 255];
  }
  function applySbox(sbox2, s0, s1, s2, s3) {
    return sbox2[s0 & 255 | s1 & 65280] | sbox2[s2 >>> 16 & 255 | s3 >>> 16 & 65280] << 16;
  }
  function encrypt(xk, s0, s1, s2, s3) {
    const { sbox2, T01, T23 } = tableEncoding;
    let k = 0;
    s0 ^= xk[k++], s1 ^= xk[k++], s2 ^= xk[k++], s3 ^= xk[k++];
    const rounds = xk.length / 4 - 2;
    for (let i = 0; i < rounds; i++) {
      const t02 = xk[k++] ^ apply0123(T01, T23, s0, s1, s2, s3);
      const t12 = xk[k++] ^ apply0123(T01, T23, s1, s2, s3, s0);
      const t22 = xk[k++] ^ apply0123(T01, T23, s2, s3, s0, s1);
      const t32 = xk[k++] ^ apply0123(T01, T23, s3, s0, s1, s2);
      s0 = t02, s1 = t12, s2 = t22, s3 = t32;
    }
    const t0 = xk[k++] ^ applySbox(sbox2, s0, s1, s2, s3);
    const t1 = xk[k++] ^ applySbox(sbox2, s1, s2, s3, s0);
    const t2 = xk[k++] ^ applySbox(sbox2, s2, s3, s0, s1);
    const t3 = xk[k++] ^ applySbox(sbox2, s3, s0, s1, s2);
    return { s0: t0, s1: t1, s2: t2, s3: t3 };
  }
  function ctr32(xk, isLE2, nonce, src, dst) {
    abytes2(nonce, BLOCK_SIZE2, "nonce");
    abytes2(src);
    dst = getOutput(src.length, dst);
    const ctr = nonce;
    const c32 = u32(ctr);
    const view = createView2(ctr);
    const src32 = u32(src);
    const dst32 = u32(dst);
    const ctrPos = isLE2 ? 0 : 12;
    const srcLen = src.length;
    let ctrNum = view.getUint32(ctrPos, isLE2);
    for (let i = 0; i + 4 <= src32.length; i += 4) {
      const { s0, s1, s2, s3 } = encrypt(xk, swap8IfBE(c32[0]), swap8IfBE(c32[1]), swap8IfBE(c32[2]), swap8IfBE(c32[3]));
      dst32[i + 0] = src32[i + 0] ^ swap8IfBE(s0);
      dst32[i + 1] = src32[i + 1] ^ swap8IfBE(s1);
      dst32[i + 2] = src32[i + 2] ^ swap8IfBE(s2);
      dst32[i + 3] = src32[i + 3] ^ swap8IfBE(s3);
      ctrNum = ctrNum + 1 >>> 0;
      view.setUint32(ctrPos, ctrNum, isLE2);
    }
    const start = BLOCK_SIZE2 * Math.floor(src32.length / BLOCK_SIZE32);
    if (start < srcLen) {
      const { s0, s1, s2, s3 } = encrypt(xk, swap8IfBE(c32[0]), swap8IfBE(c32[1]), swap8IfBE(c32[2]), swap8IfBE(c32[3]));
      const b32 = new Uint32Array([s0, s1, s2, s3]);
      swap32IfBE(b32);
      const buf = u8(b32);
      for (let i = start, pos = 0; i < srcLen; i++, pos++)
        dst[i] = src[i] ^ buf[pos];
      clean2(b32);
    }
    return dst;
  }
  function computeTag(fn, isLE2, key, data, AAD) {
    const aadLength = AAD ? AAD.length : 0;
    const h = fn.create(key, data.length + aadLength);
    if (AAD)
      h.update(AAD);
    const num = u64Lengths(8 * data.length, 8 * aadLength, isLE2);
    h.update(data);
    h.update(num);
    const res = h.digest();
    clean2(num);
    return res;
  }
  var gcm = /* @__PURE__ */ wrapCipher({ blockSize: 16, nonceLength: 12, tagLength: 16, withAAD: true, varSizeNonce: true }, function aesgcm(key, nonce, AAD) {
    if (nonce.length < 8)
      throw new Error("aes/gcm: invalid nonce length");
    const tagLength = 16;
    function _computeTag(authKey, tagMask, data) {
      const tag = computeTag(ghash, false, authKey, data, AAD);
      for (let i = 0; i < tagMask.length; i++)
        tag[i] ^= tagMask[i];
      return tag;
    }
    function deriveKeys() {
      const xk = expandKeyLE(key);
      const authKey = EMPTY_BLOCK.slice();
      const counter = EMPTY_BLOCK.slice();
      ctr32(xk, false, counter, counter, authKey);
      if (nonce.length === 12) {
        counter.set(nonce);
      } else {
        const nonceLen = EMPTY_BLOCK.slice();
        const view = createView2(nonceLen);
        view.setBigUint64(8, BigInt(nonce.length * 8), false);
        const g = ghash.create(authKey).update(nonce).update(nonceLen);
        g.digestInto(counter);
        g.destroy();
      }
      const tagMask = ctr32(xk, false, counter, EMPTY_BLOCK);
      return { xk, authKey, counter, tagMask };
    }
    return {
      encrypt(plaintext) {
        const { xk, authKey, counter, tagMask } = deriveKeys();
        const out = new Uint8Array(plaintext.length + tagLength);
        const toClean = [xk, authKey, counter, tagMask];
        if (!isAligned32(plaintext))
          toClean.push(plaintext = copyBytes(plaintext));
        ctr32(xk, false, counter, plaintext, out.subarray(0, plaintext.length));
        const tag = _computeTag(authKey, tagMask, out.subarray(0, out.length - tagLength));
        toClean.push(tag);
        out.set(tag, plaintext.length);
        clean2(...toClean);
        return out;
      },
      decrypt(ciphertext) {
        const { xk, authKey, counter, tagMask } = deriveKeys();
        const toClean = [xk, authKey, tagMask, counter];
        if (!isAligned32(ciphertext))
          toClean.push(ciphertext = copyBytes(ciphertext));
        const data = ciphertext.subarray(0, -tagLength);
        const passedTag = ciphertext.subarray(-tagLength);
        const tag = _computeTag(authKey, tagMask, data);
        toClean.push(tag);
        if (!equalBytes(tag, passedTag)) {
          clean2(...toClean);
          throw new Error("aes-gcm: invalid tag");
        }
        const out = ctr32(xk, false, counter, data);
        clean2(...toClean);
        return out;
      }
    };
  });

  // vendor/noble-ed25519/index.js
  /*! noble-ed25519 - MIT License (c) 2019 Paul Miller (paulmillr.com) */
  var freeze = Object.freeze;
  var P = 0x7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffedn;
  var N = 0x1000000000000000000000000000000014def9dea2f79cd65812631a5cf5d3edn;
  var _d = 0x52036cee2b6ffe738cc740797779e89800700a4d4141d8ab75eb4dca135978a3n;
  var Gx = 0x216936d3cd6e53fec0a4e231fdd6dc5c692cc7609525a7b2c9562d608f25d51an;
  var Gy = 0x6666666666666666666666666666666666666666666666666666666666666658n;
  var _a = P - 1n;
  var ed25519_CURVE = freeze({
    p: P,
    n: N,
    h: 8n,
    a: _a,
    d: _d,
    Gx,
    Gy
  });
  var LEN = 32;
  var isBytes3 = (a) => {
    return a instanceof Uint8Array || ArrayBuffer.isView(a) && a.constructor.name === "Uint8Array" && a.BYTES_PER_ELEMENT === 1;
  };
  var abytes3 = (value, length, title = "") => {
    if (isBytes3(value) && (length === void 0 || value.length === length))
      return value;
    const bytes = isBytes3(value);
    const ofLen = length !== void 0 ? ` of length ${length}` : "";
    const got = bytes ? `length=${value.length}` : `type=${typeof value}`;
    const message = (title ? `"${title}" ` : "") + "expected Uint8Array" + ofLen + ", got " + got;
    if (!bytes)
      throw new TypeError(message);
    throw new RangeError(message);
  };
  var snapshotBytes = (value, title = "", length) => Uint8Array.from(abytes3(value, length, title));
  var padh = (n, pad) => n.toString(16).padStart(pad, "0");
  var bytesToHex = (bytes) => {
    let hex = "";
    for (const byte of abytes3(bytes))
      hex += padh(byte, 2);
    return hex;
  };
  var hexToBytes = (hex) => {
    const e = "hex invalid";
    if (typeof hex !== "string")
      throw new TypeError(e);
    if (hex.length % 2 || !/^[\da-f]*$/i.test(hex))
      throw new RangeError(e);
    const array = new Uint8Array(hex.length / 2);
    for (let ai = 0, hi = 0; ai < array.length; ai++, hi += 2) {
      const n1 = hex.charCodeAt(hi);
      const n2 = hex.charCodeAt(hi + 1);
      array[ai] = ((n1 & 15) + (n1 >> 6) * 9) * 16 + (n2 & 15) + (n2 >> 6) * 9;
    }
    return array;
  };
  var concatBytes3 = (...arrays) => {
    let sum = 0;
    for (const a of arrays)
      sum += abytes3(a).length;
    const res = new Uint8Array(sum);
    let pad = 0;
    for (const a of arrays) {
      res.set(a, pad);
      pad += a.length;
    }
    return res;
  };
  var arange = (n, min, max, msg = "bad number: out of range") => {
    if (typeof n !== "bigint")
      throw new TypeError(msg);
    if (min <= n && n < max)
      return n;
    throw new RangeError(msg);
  };
  var mod = (a, b = P) => (a %= b) >= 0n ? a : b + a;
  var P_MASK = (1n << 255n) - 1n;
  var modP = (num) => {
    if (num < 0n)
      throw new RangeError("negative coordinate");
    let r = (num >> 255n) * 19n + (num & P_MASK);
    r = (r >> 255n) * 19n + (r & P_MASK);
    return r % P;
  };
  var modN = (a) => mod(a, N);
  var invert = (number, modulo) => {
    if (number === 0n)
      throw new Error("invert: expected non-zero number");
    if (modulo <= 1n)
      throw new Error("invert: expected modulus > 1, got " + modulo);
    let a = mod(number, modulo);
    let b = modulo;
    let x = 0n, u = 1n;
    while (a !== 0n) {
      const q = b / a;
      const r = b - a * q;
      const m = x - u * q;
      b = a, a = r, x = u, u = m;
    }
    const gcd = b;
    if (gcd !== 1n)
      throw new Error("invert: does not exist");
    return mod(x, modulo);
  };
  var _hash = (name) => {
    const fn = hashes[name];
    if (typeof fn !== "function")
      throw new Error("hashes." + name + " not set");
    return fn;
  };
  var callHash = (name, ...m) => abytes3(_hash(name)(concatBytes3(...m)), 64, "digest");
  var apoint = (p) => {
    if (p instanceof Point)
      return p;
    throw new TypeError("Point expected");
  };
  var B256 = 2n ** 256n;
  var _Point = class _Point {
    // Constructor only bounds-checks and freezes XYZT coordinates; it does not prove the point is
    // on-curve or that T matches X*Y/Z.
    constructor(X, Y, Z, T) {
      __publicField(this, "X");
      __publicField(this, "Y");
      __publicField(this, "Z");
      __publicField(this, "T");
      const max = B256;
      this.X = arange(X, 0n, max);
      this.Y = arange(Y, 0n, max);
      this.Z = arange(Z, 1n, max);
      this.T = arange(T, 0n, max);
      freeze(this);
    }
    static CURVE() {
      return ed25519_CURVE;
    }
    static fromAffine(p) {
      return new _Point(p.x, p.y, 1n, modP(p.x * p.y));
    }
    /** RFC8032 5.1.3: Uint8Array to Point. */
    static fromBytes(bytes, zip215 = false) {
      const normed = snapshotBytes(bytes, "point", LEN);
      const lastByte = normed[31];
      normed[31] = lastByte & ~128;
      const y = bytesToNumberLE(normed);
      if (!zip215)
        arange(y, 0n, P);
      const y2 = modP(y * y);
      const u = mod(y2 - 1n);
      const v = modP(_d * y2 + 1n);
      let { isValid, value: x } = uvRatio(u, v);
      if (!isValid)
        throw new Error("bad point: y not sqrt");
      const isLastByteOdd = !!(lastByte & 128);
      if (!zip215 && x === 0n && isLastByteOdd)
        throw new Error("bad point: x==0, isLastByteOdd");
      if (isLastByteOdd !== !!(x & 1n))
        x = mod(-x);
      return new _Point(x, y, 1n, modP(x * y));
    }
    static fromHex(hex, zip215) {
      return _Point.fromBytes(hexToBytes(hex), zip215);
    }
    get x() {
      return this.toAffine().x;
    }
    get y() {
      return this.toAffine().y;
    }
    /** Checks if the point is valid and on-curve. */
    assertValidity() {
      const a = _a;
      const d = _d;
      const p = this;
      if (p.is0())
        throw new Error("bad point: ZERO");
      const { X, Y, Z, T } = p;
      const X2 = modP(X * X);
      const Y2 = modP(Y * Y);
      const Z2 = modP(Z * Z);
      const Z4 = modP(Z2 * Z2);
      const aX2 = modP(X2 * a);
      const left = modP(Z2 * (aX2 + Y2));
      const right = mod(Z4 + modP(d * modP(X2 * Y2)));
      if (left !== right)
        throw new Error("bad point: equation left != right (1)");
      const XY = modP(X * Y);
      const ZT = modP(Z * T);
      if (XY !== ZT)
        throw new Error("bad point: equation left != right (2)");
      return this;
    }
    /** Equality check: compare points P&Q. */
    equals(other) {
      const { X: X1, Y: Y1, Z: Z1 } = this;
      const { X: X2, Y: Y2, Z: Z2 } = apoint(other);
      return modP(X1 * Z2) === modP(X2 * Z1) && modP(Y1 * Z2) === modP(Y2 * Z1);
    }
    is0() {
      return this.equals(I);
    }
    /** Flip point over y coordinate. */
    negate() {
      return new _Point(mod(-this.X), this.Y, this.Z, mod(-this.T));
    }
    /** Point doubling. Complete formula. Cost: `4M + 4S + 1*a + 6add + 1*2`. */
    double() {
      const { X: X1, Y: Y1, Z: Z1 } = this;
      const a = _a;
      const A = modP(X1 * X1);
      const B = modP(Y1 * Y1);
      const C = modP(2n * Z1 * Z1);
      const D = modP(a * A);
      const x1y1 = mod(X1 + Y1);
      const E = mod(modP(x1y1 * x1y1) - A - B);
      const G2 = mod(D + B);
      const F = mod(G2 - C);
      const H = mod(D - B);
      const X3 = modP(E * F);
      const Y3 = modP(G2 * H);
      const T3 = modP(E * H);
      const Z3 = modP(F * G2);
      return new _Point(X3, Y3, Z3, T3);
    }
    /** Point addition. Complete formula. Cost: `9M + 1*a + 1*d + 7add`. */
    add(other) {
      const { X: X1, Y: Y1, Z: Z1, T: T1 } = this;
      const { X: X2, Y: Y2, Z: Z2, T: T2 } = apoint(other);
      const a = _a;
      const d = _d;
      const A = modP(X1 * X2);
      const B = modP(Y1 * Y2);
      const C = modP(modP(T1 * d) * T2);
      const D = modP(Z1 * Z2);
      const E = mod(modP(mod(X1 + Y1) * mod(X2 + Y2)) - A - B);
      const F = mod(D - C);
      const G2 = mod(D + C);
      const H = mod(B - modP(a * A));
      const X3 = modP(E * F);
      const Y3 = modP(G2 * H);
      const T3 = modP(E * H);
      const Z3 = modP(F * G2);
      return new _Point(X3, Y3, Z3, T3);
    }
    subtract(other) {
      return this.add(apoint(other).negate());
    }
    /**
     * Point-by-scalar multiplication. Safe mode requires `1 <= n < CURVE.n`.
     * Unsafe mode additionally permits `n = 0` and returns the identity point for that case.
     * Uses {@link wNAF} for base point.
     * Uses fake point to mitigate side-channel leakage.
     * @param n - scalar by which point is multiplied
     * @param safe - safe mode guards against timing attacks; unsafe mode is faster
     */
    multiply(n, safe = true) {
      if (!safe && n === 0n)
        return I;
      arange(n, 1n, N);
      if (!safe && this.is0())
        return I;
      if (n === 1n)
        return this;
      if (this.equals(G))
        return wNAF(n).p;
      let p = I;
      let f = G;
      let d = this;
      for (let i = 0; safe ? i < 256 : n > 0n; i++) {
        if (n & 1n)
          p = p.add(d);
        else if (safe)
          f = f.add(d);
        d = d.double();
        n >>= 1n;
      }
      return p;
    }
    multiplyUnsafe(scalar) {
      return this.multiply(scalar, false);
    }
    /** Convert point to 2d xy affine point. (X, Y, Z) ∋ (x=X/Z, y=Y/Z) */
    toAffine() {
      const { X, Y, Z } = this;
      if (this.equals(I))
        return { x: 0n, y: 1n };
      const iz = invert(Z, P);
      if (modP(Z * iz) !== 1n)
        throw new Error("invalid inverse");
      return { x: modP(X * iz), y: modP(Y * iz) };
    }
    toBytes() {
      const { x, y } = this.toAffine();
      const b = numTo32bLE(y);
      b[31] |= x & 1n ? 128 : 0;
      return b;
    }
    toHex() {
      return bytesToHex(this.toBytes());
    }
    clearCofactor() {
      return this.multiply(8n, false);
    }
    isSmallOrder() {
      return this.clearCofactor().is0();
    }
    isTorsionFree() {
      return this.multiply(N / 2n, false).double().add(this).is0();
    }
  };
  __publicField(_Point, "BASE");
  __publicField(_Point, "ZERO");
  var Point = _Point;
  var G = new Point(Gx, Gy, 1n, mod(Gx * Gy));
  var I = new Point(0n, 1n, 1n, 0n);
  Point.BASE = G;
  Point.ZERO = I;
  var numTo32bLE = (num) => hexToBytes(padh(arange(num, 0n, B256), 64)).reverse();
  var bytesToNumberLE = (b) => BigInt("0x" + bytesToHex(Uint8Array.from(abytes3(b)).reverse()));
  var pow2 = (x, power) => {
    let r = x;
    while (power-- > 0) {
      r = modP(r * r);
    }
    return r;
  };
  var pow_2_252_3 = (x) => {
    const x2 = modP(x * x);
    const b2 = modP(x2 * x);
    const b4 = modP(pow2(b2, 2) * b2);
    const b5 = modP(pow2(b4, 1) * x);
    const b10 = modP(pow2(b5, 5) * b5);
    const b20 = modP(pow2(b10, 10) * b10);
    const b40 = modP(pow2(b20, 20) * b20);
    const b80 = modP(pow2(b40, 40) * b40);
    const b160 = modP(pow2(b80, 80) * b80);
    const b240 = modP(pow2(b160, 80) * b80);
    const b250 = modP(pow2(b240, 10) * b10);
    return modP(pow2(b250, 2) * x);
  };
  var RM1 = 0x2b8324804fc1df0b2b4d00993dfbd7a72f431806ad2fe478c4ee1b274a0ea0b0n;
  var uvRatio = (u, v) => {
    const v3 = modP(v * modP(v * v));
    const v7 = modP(modP(v3 * v3) * v);
    const pow = pow_2_252_3(modP(u * v7));
    let x = modP(u * modP(v3 * pow));
    const vx2 = modP(v * modP(x * x));
    const root1 = x;
    const root2 = modP(x * RM1);
    const useRoot1 = vx2 === u;
    const useRoot2 = vx2 === mod(-u);
    const noRoot = vx2 === mod(-u * RM1);
    if (useRoot1)
      x = root1;
    if (useRoot2 || noRoot)
      x = root2;
    if ((mod(x) & 1n) === 1n)
      x = mod(-x);
    return { isValid: useRoot1 || useRoot2, value: x };
  };
  var modL_LE = (hash) => modN(bytesToNumberLE(hash));
  var hashFinishSync = (res) => res[1](callHash("sha512", res[0]));
  var getZip215 = (options) => {
    if (options === null || typeof options !== "object")
      throw new TypeError("expected valid options object");
    return options.zip215 ?? true;
  };
  var _verify = (sig, msg, publicKey, options) => {
    sig = abytes3(sig, 64, "signature");
    msg = abytes3(msg, void 0, "message");
    publicKey = abytes3(publicKey, LEN, "publicKey");
    const zip215 = getZip215(options);
    const r = sig.subarray(0, LEN);
    const s = bytesToNumberLE(sig.subarray(LEN, 64));
    let A, R, SB;
    let hashable = Uint8Array.of();
    let finished = false;
    try {
      A = Point.fromBytes(publicKey, zip215);
      R = Point.fromBytes(r, zip215);
      SB = G.multiply(s, false);
      hashable = concatBytes3(r, publicKey, msg);
      finished = true;
    } catch (error) {
    }
    const finish = (hashed) => {
      if (!finished)
        return false;
      if (!zip215 && A.isSmallOrder())
        return false;
      const k = modL_LE(hashed);
      const RkA = R.add(A.multiply(k, false));
      return RkA.subtract(SB).clearCofactor().is0();
    };
    return [hashable, finish];
  };
  var verify = (signature, message, publicKey, opts = {}) => hashFinishSync(_verify(signature, message, publicKey, opts));
  var hashes = {
    sha512Async: async (message) => {
      const s = globalThis?.crypto?.subtle;
      if (!s)
        throw new Error("crypto.subtle must be defined, consider polyfill");
      return new Uint8Array(await s.digest("SHA-512", concatBytes3(message)));
    },
    sha512: void 0
  };
  var precompute = () => {
    const points = [];
    let p = G;
    let b;
    for (let w = 0; w < 33; w++) {
      b = p;
      points.push(b);
      for (let i = 1; i < 128; i++) {
        b = b.add(p);
        points.push(b);
      }
      p = b.double();
    }
    return points;
  };
  var Gpows = void 0;
  var ctneg = (cnd, p) => {
    const n = p.negate();
    return cnd ? n : p;
  };
  var wNAF = (n) => {
    const comp = Gpows || (Gpows = precompute());
    let p = I;
    let f = G;
    for (let w = 0; w < 33; w++) {
      let wbits = Number(n & 255n);
      n >>= 8n;
      if (wbits > 128) {
        wbits -= 256;
        n += 1n;
      }
      const off = w * 128;
      const offP = off + Math.abs(wbits) - 1;
      const isOddW = w % 2 !== 0;
      const isNeg = wbits < 0;
      if (wbits === 0) {
        f = f.add(ctneg(isOddW, comp[off]));
      } else {
        p = p.add(ctneg(isNeg, comp[offP]));
      }
    }
    if (n !== 0n)
      throw new Error("invalid wnaf");
    return { p, f };
  };

  // src/crypto.js
  hashes.sha512 = sha512;
  function sha2562(...parts) {
    const h = sha256.create();
    for (const p of parts) h.update(p);
    return h.digest();
  }
  function sha5122(bytes) {
    return sha512(bytes);
  }
  function hmacSha256(key, message) {
    return hmac(sha256, key, message);
  }
  function hmacSha256With(key) {
    const keyed = hmac.create(sha256, key);
    return (message) => keyed.clone().update(message).digest();
  }
  function sha256With(prefix) {
    const base = sha256.create().update(prefix);
    return (...parts) => {
      const h = base.clone();
      for (const p of parts) h.update(p);
      return h.digest();
    };
  }
  function ed25519Verify(publicKey, message, signature) {
    try {
      return verify(signature, message, publicKey, { zip215: false });
    } catch {
      return false;
    }
  }
  function hkdfSha256(ikm, salt, info, length) {
    return hkdf(sha256, ikm, salt, info, length);
  }
  function aesGcmOpen(key, nonce, sealed, associatedData) {
    try {
      return gcm(key, nonce, associatedData).decrypt(sealed);
    } catch {
      return null;
    }
  }
  function aesGcmSeal(key, nonce, plaintext, associatedData) {
    return gcm(key, nonce, associatedData).encrypt(plaintext);
  }

  // src/strictjson.js
  var MAX_DEPTH = 32;
  var MAX_INTEGER = Number.MAX_SAFE_INTEGER;
  function refuse(document, where, problem, value) {
    return new MalformedDocumentError(problem, { source: document, field: where, value });
  }
  function parseJson(data, { document }) {
    let text = data;
    if (typeof data !== "string") {
      try {
        text = fromUtf8(data);
      } catch {
        throw refuse(document, "$", "not UTF-8 text");
      }
    }
    if (text.charCodeAt(0) === 65279) throw refuse(document, "$", "starts with a byte-order mark (BOM)");
    let at = 0;
    const fail = (problem) => refuse(document, "$", `not valid JSON (${problem} at character ${at + 1})`);
    const space = () => {
      for (; ; ) {
        const c = text.charCodeAt(at);
        if (c === 32 || c === 9 || c === 10 || c === 13) at++;
        else return;
      }
    };
    const literal = (word, value2) => {
      if (text.startsWith(word, at)) {
        at += word.length;
        return value2;
      }
      if (/^(?:-?Infinity|NaN)/.test(text.slice(at, at + 9))) throw refuse(document, "$", "not a JSON value", text.slice(at, at + 9).match(/^-?\w+/)[0]);
      throw fail("unexpected character");
    };
    const string = () => {
      at++;
      let out = "";
      let start = at;
      for (; ; ) {
        const c = text.charCodeAt(at);
        if (Number.isNaN(c)) throw fail("unterminated string");
        if (c === 34) {
          out += text.slice(start, at);
          at++;
          return out;
        }
        if (c < 32) throw fail("control character in a string");
        if (c === 92) {
          out += text.slice(start, at);
          const e = text[at + 1];
          const simple = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "	" }[e];
          if (simple !== void 0) {
            out += simple;
            at += 2;
          } else if (e === "u" && /^[0-9a-fA-F]{4}$/.test(text.slice(at + 2, at + 6))) {
            out += String.fromCharCode(parseInt(text.slice(at + 2, at + 6), 16));
            at += 6;
          } else {
            throw fail("bad escape");
          }
          start = at;
        } else {
          at++;
        }
      }
    };
    const number = () => {
      const match = /^-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?/.exec(text.slice(at, at + 400));
      if (!match) throw fail("bad number");
      at += match[0].length;
      if (match[1] !== void 0 || match[2] !== void 0) {
        throw refuse(document, "$", "number with a fraction or exponent (alloc has none)", match[0]);
      }
      const value2 = Number(match[0]);
      if (Math.abs(value2) > MAX_INTEGER) throw refuse(document, "$", "integer outside ±(2^53 − 1)", match[0]);
      return value2 === 0 ? 0 : value2;
    };
    const value = (depth) => {
      space();
      const c = text[at];
      if (c === "{" || c === "[") {
        if (depth >= MAX_DEPTH) throw refuse(document, "$", `nested deeper than ${MAX_DEPTH} levels`);
        at++;
        space();
        if (c === "[") {
          const items = [];
          if (text[at] === "]") {
            at++;
            return items;
          }
          for (; ; ) {
            items.push(value(depth + 1));
            space();
            if (text[at] === ",") at++;
            else if (text[at] === "]") {
              at++;
              return items;
            } else throw fail("expected , or ]");
          }
        }
        const object = {};
        if (text[at] === "}") {
          at++;
          return object;
        }
        for (; ; ) {
          space();
          if (text[at] !== '"') throw fail("expected a key");
          const key = string();
          if (Object.prototype.hasOwnProperty.call(object, key)) throw refuse(document, "$", "duplicate key", key);
          space();
          if (text[at] !== ":") throw fail("expected :");
          at++;
          const item = value(depth + 1);
          Object.defineProperty(object, key, { value: item, enumerable: true, writable: true, configurable: true });
          space();
          if (text[at] === ",") at++;
          else if (text[at] === "}") {
            at++;
            return object;
          } else throw fail("expected , or }");
        }
      }
      if (c === '"') return string();
      if (c === "-" || c >= "0" && c <= "9") return number();
      if (c === "t") return literal("true", true);
      if (c === "f") return literal("false", false);
      if (c === "n") return literal("null", null);
      if (c === void 0) throw fail("unexpected end");
      return literal("\0", null);
    };
    const result = value(0);
    space();
    if (at !== text.length) throw fail("extra text after the value");
    return result;
  }
  function typeName(value) {
    if (value === null) return "null";
    if (typeof value === "boolean") return "true/false";
    if (typeof value === "string") return "text";
    if (typeof value === "number") return "integer";
    if (Array.isArray(value)) return "array";
    return "object";
  }
  var HEX_RE2 = /^[0-9a-f]*$/;
  var Fields = class _Fields {
    constructor(data, { document, path = "$" }) {
      this.data = data;
      this.document = document;
      this.path = path;
      this.read = /* @__PURE__ */ new Set();
    }
    /** @throws {MalformedDocumentError} if value is not an object */
    static of(value, { document, path = "$" }) {
      if (value === null || typeof value !== "object" || Array.isArray(value)) {
        throw refuse(document, path, `expected an object, found ${typeName(value)}`);
      }
      return new _Fields(value, { document, path });
    }
    /** An error located at key of this object. */
    error(key, problem, value) {
      return refuse(this.document, `${this.path}.${key}`, problem, value);
    }
    has(key) {
      return Object.prototype.hasOwnProperty.call(this.data, key);
    }
    value(key) {
      if (!this.has(key)) throw this.error(key, "missing key");
      this.read.add(key);
      return this.data[key];
    }
    typed(key, type, expected) {
      const value = this.value(key);
      if (typeName(value) !== type) throw this.error(key, `expected ${expected}, found ${typeName(value)}`);
      return value;
    }
    string(key) {
      return this.typed(key, "text", "text");
    }
    optionalString(key) {
      if (this.has(key) && this.data[key] === null) return this.value(key);
      return this.string(key);
    }
    integer(key, { minimum, maximum } = {}) {
      const value = this.typed(key, "integer", "an integer");
      if (minimum !== void 0 && value < minimum) throw this.error(key, `must be at least ${minimum}`, value);
      if (maximum !== void 0 && value > maximum) throw this.error(key, `must be at most ${maximum}`, value);
      return value;
    }
    optionalInteger(key, bounds) {
      if (this.has(key) && this.data[key] === null) return this.value(key);
      return this.integer(key, bounds);
    }
    boolean(key) {
      return this.typed(key, "true/false", "true or false");
    }
    array(key) {
      return this.typed(key, "array", "an array");
    }
    strings(key) {
      const values = this.array(key);
      values.forEach((item, i) => {
        if (typeof item !== "string") throw this.error(`${key}[${i}]`, `expected text, found ${typeName(item)}`);
      });
      return values;
    }
    /** Lower-case hex of exactly size bytes, as text (the one accepted form). */
    hex(key, size) {
      const value = this.string(key);
      if (value.length !== 2 * size || !HEX_RE2.test(value)) {
        throw this.error(key, `expected ${2 * size} lower-case hexadecimal digits`, value);
      }
      return value;
    }
    optionalHex(key, size) {
      if (this.has(key) && this.data[key] === null) return this.value(key);
      return this.hex(key, size);
    }
    object(key) {
      return _Fields.of(this.value(key), { document: this.document, path: `${this.path}.${key}` });
    }
    objects(key) {
      return this.array(key).map(
        (item, i) => _Fields.of(item, { document: this.document, path: `${this.path}.${key}[${i}]` })
      );
    }
    /** Read every object of an array with read(fields), refusing unknown keys in each. */
    each(key, read) {
      return this.objects(key).map((item) => {
        const out = read(item);
        item.done();
        return out;
      });
    }
    /** @throws {MalformedDocumentError} naming the first key never read */
    done() {
      const unknown = Object.keys(this.data).filter((k) => !this.read.has(k)).sort();
      if (unknown.length) throw this.error(unknown[0], "unknown key (not in the specification)");
    }
  };

  // src/canonical.js
  var SPEC_VERSION = 2;
  var MAX_IDENTIFIER_LENGTH = 128;
  var Tag = Object.freeze({
    COMMITMENT: "alloc/v1/commitment",
    SEED: "alloc/v1/seed",
    TICKET: "alloc/v1/ticket",
    TICKET_KINDERGARTEN: "alloc/v1/ticket-kindergarten",
    TICKET_GROUP: "alloc/v1/ticket-group",
    TICKET_GROUP_KINDERGARTEN: "alloc/v1/ticket-group-kindergarten",
    RECORD: "alloc/v1/record",
    RESULT: "alloc/v1/result",
    RULES: "alloc/v1/rules",
    ANNOUNCEMENT: "alloc/v1/announcement",
    TRANSCRIPT: "alloc/v1/transcript",
    IDENTITY: "alloc/v1/identity",
    LOOKUP_ENTRY: "alloc/v1/lookup-entry",
    LOOKUP_ENTRY_ID: "alloc/v1/lookup-entry-id",
    LOOKUP_ENTRY_KEY: "alloc/v1/lookup-entry-key",
    PROOF_FILE: "alloc/v1/proof-file"
  });
  var MAX_SAFE = Number.MAX_SAFE_INTEGER;
  function canonicalJson(value) {
    return serialise(value, "$");
  }
  function canonicalBytes(value) {
    return utf8(canonicalJson(value));
  }
  function serialise(value, path) {
    if (value === null) return "null";
    switch (typeof value) {
      case "boolean":
        return value ? "true" : "false";
      case "string":
        if (/\p{Cs}/u.test(value)) {
          throw new InputError("The text holds a lone surrogate and is not valid Unicode.", { field: path });
        }
        return JSON.stringify(value);
      case "number":
        if (!Number.isInteger(value) || Math.abs(value) > MAX_SAFE) {
          throw new InputError("Only integers within ±(2**53-1) may appear in a canonical document.", {
            field: path,
            value,
            hint: "Encode large or fractional numbers as strings."
          });
        }
        return Object.is(value, -0) ? "0" : String(value);
      case "object": {
        if (Array.isArray(value)) {
          return "[" + value.map((item, i) => serialise(item, `${path}[${i}]`)).join(",") + "]";
        }
        const proto = Object.getPrototypeOf(value);
        if (proto !== Object.prototype && proto !== null) break;
        const keys = Object.keys(value).sort();
        const items = keys.map((k) => {
          if (/\p{Cs}/u.test(k)) {
            throw new InputError("An object key holds a lone surrogate.", { field: path });
          }
          return JSON.stringify(k) + ":" + serialise(value[k], `${path}.${k}`);
        });
        return "{" + items.join(",") + "}";
      }
      default:
        break;
    }
    throw new InputError(`A value of type ${typeof value} is not allowed in a canonical document.`, {
      field: path,
      hint: "Use strings, integers, booleans, null, arrays and objects."
    });
  }
  var FORBIDDEN_RE = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u;
  var PRINTABLE_ASCII_RE = /^[\x20-\x7e]+$/;
  var EDGE_SPACE_RE = new RegExp(`^[${PYTHON_SPACE}]|[${PYTHON_SPACE}]$`, "u");
  function checkIdentifier(value, field) {
    if (typeof value !== "string") {
      throw new InputError("The value must be text.", { field, value });
    }
    if (PRINTABLE_ASCII_RE.test(value) && value.length <= MAX_IDENTIFIER_LENGTH && value[0] !== " " && value[value.length - 1] !== " ") {
      return value;
    }
    if (!value) throw new InputError("The value must not be empty.", { field, value });
    if (/\p{Cs}/u.test(value)) {
      throw new InputError("The text is not valid Unicode (a lone surrogate).", { field });
    }
    if (codePointLength(value) > MAX_IDENTIFIER_LENGTH) {
      throw new InputError(`The value is longer than ${MAX_IDENTIFIER_LENGTH} characters.`, { field, value });
    }
    if (EDGE_SPACE_RE.test(value)) {
      throw new InputError("The value has leading or trailing white space.", { field, value, hint: "Strip it." });
    }
    const bad = value.match(FORBIDDEN_RE);
    if (bad) {
      const code = bad[0].codePointAt(0).toString(16).toUpperCase().padStart(4, "0");
      throw new InputError(`The value contains the control or format character U+${code}.`, { field, value });
    }
    if (value.normalize("NFC") !== value) {
      throw new InputError("The value is not in Unicode NFC form.", {
        field,
        value,
        hint: "Normalise it with NFC before use."
      });
    }
    return value;
  }
  function taggedMessage(tag, ...fields) {
    const parts = [utf8(tag)];
    const zero = new Uint8Array(1);
    for (const f of fields) {
      parts.push(zero, typeof f === "string" ? utf8(f) : f);
    }
    return concatBytes(...parts);
  }
  function taggedHash(tag, ...fields) {
    return sha2562(taggedMessage(tag, ...fields));
  }

  // src/merkle.js
  var LEAF = Uint8Array.of(0);
  var NODE = Uint8Array.of(1);
  function leafHash(leaf) {
    return sha2562(LEAF, leaf);
  }
  function nodeHash(left, right) {
    return sha2562(NODE, left, right);
  }
  function merkleRoot(leaves, { prefix = new Uint8Array(0) } = {}) {
    if (leaves.length === 0) return sha2562();
    const hashLeaf = sha256With(concatBytes(LEAF, prefix));
    let level = leaves.map((leaf) => hashLeaf(leaf));
    return rootOfHashes(level);
  }
  function rootOfHashes(hashes2) {
    if (hashes2.length === 0) return sha2562();
    let level = hashes2;
    while (level.length > 1) {
      const next = [];
      for (let i = 0; i + 1 < level.length; i += 2) next.push(nodeHash(level[i], level[i + 1]));
      if (level.length % 2) next.push(level[level.length - 1]);
      level = next;
    }
    return level[0];
  }
  function inclusionProof(leaves, index, { prefix = new Uint8Array(0) } = {}) {
    if (!(Number.isInteger(index) && index >= 0 && index < leaves.length)) {
      throw new RangeError("The leaf index is outside the tree.");
    }
    const hashLeaf = sha256With(concatBytes(LEAF, prefix));
    let level = leaves.map((leaf) => hashLeaf(leaf));
    const proof = [];
    let at = index;
    while (level.length > 1) {
      const sibling = at ^ 1;
      if (sibling < level.length) proof.push(level[sibling]);
      const next = [];
      for (let i = 0; i + 1 < level.length; i += 2) next.push(nodeHash(level[i], level[i + 1]));
      if (level.length % 2) next.push(level[level.length - 1]);
      level = next;
      at >>= 1;
    }
    return proof;
  }
  function rootFromInclusionProof(leafHashValue, index, size, proof) {
    if (!(Number.isSafeInteger(index) && Number.isSafeInteger(size) && index >= 0 && index < size)) return null;
    if (leafHashValue.length !== 32) return null;
    let fn = index;
    let sn = size - 1;
    let r = leafHashValue;
    for (const p of proof) {
      if (sn === 0 || p.length !== 32) return null;
      if (fn % 2 === 1 || fn === sn) {
        r = nodeHash(p, r);
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      } else {
        r = nodeHash(r, p);
      }
      fn = Math.floor(fn / 2);
      sn = Math.floor(sn / 2);
    }
    return sn === 0 ? r : null;
  }
  function verifyInclusion(leaf, index, size, proof, root) {
    try {
      const computed = rootFromInclusionProof(leafHash(leaf), index, size, proof);
      return computed !== null && bytesEqual(computed, root);
    } catch {
      return false;
    }
  }

  // src/tickets.js
  function checkSeed(seed) {
    if (!(seed instanceof Uint8Array) || seed.length !== 32) {
      throw new InputError("The seed must be exactly 32 bytes.", {
        field: "seed",
        hint: "Use the seed from the transcript (64 hex digits)."
      });
    }
    return seed;
  }
  function ticket(seed, drawId, registrationNumber) {
    checkIdentifier(drawId, "draw_id");
    checkIdentifier(registrationNumber, "registration_number");
    return hmacSha256(checkSeed(seed), taggedMessage(Tag.TICKET, drawId, registrationNumber));
  }
  function kindergartenTicket(seed, drawId, registrationNumber, kindergartenId) {
    checkIdentifier(drawId, "draw_id");
    checkIdentifier(registrationNumber, "registration_number");
    checkIdentifier(kindergartenId, "kindergarten");
    return hmacSha256(
      checkSeed(seed),
      taggedMessage(Tag.TICKET_KINDERGARTEN, drawId, registrationNumber, kindergartenId)
    );
  }
  function groupTicket(seed, drawId, groupId) {
    checkIdentifier(drawId, "draw_id");
    checkIdentifier(groupId, "group");
    return hmacSha256(checkSeed(seed), taggedMessage(Tag.TICKET_GROUP, drawId, groupId));
  }
  function groupKindergartenTicket(seed, drawId, groupId, kindergartenId) {
    checkIdentifier(drawId, "draw_id");
    checkIdentifier(groupId, "group");
    checkIdentifier(kindergartenId, "kindergarten");
    return hmacSha256(
      checkSeed(seed),
      taggedMessage(Tag.TICKET_GROUP_KINDERGARTEN, drawId, groupId, kindergartenId)
    );
  }
  function ticketMaker(seed, drawId) {
    const mac = hmacSha256With(checkSeed(seed));
    const zero = "\0";
    const prefix = (tag) => tag + zero + drawId + zero;
    const child = prefix(Tag.TICKET);
    const childAt = prefix(Tag.TICKET_KINDERGARTEN);
    const group = prefix(Tag.TICKET_GROUP);
    const groupAt = prefix(Tag.TICKET_GROUP_KINDERGARTEN);
    return {
      child: (reg) => toHex(mac(utf8(child + reg))),
      childAt: (reg, kg) => toHex(mac(utf8(childAt + reg + zero + kg))),
      group: (gid) => toHex(mac(utf8(group + gid))),
      groupAt: (gid, kg) => toHex(mac(utf8(groupAt + gid + zero + kg)))
    };
  }

  // src/seed.js
  var SECRET_SIZE = 32;
  var MIN_DISTINCT_SECRET_BYTES = 20;
  var MAX_SOURCE_COUNT = 64;
  var MAX_SOURCE_NUMBER = 999999;
  var DRAND_CHAINS = Object.freeze({
    quicknet: Object.freeze({
      name: "quicknet",
      hash: "52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971",
      public_key: "83cf0f2896adee7eb8b5f01fcad3912212c437e0073e911fb90022d3e760183c8c4b450b6a0a6c3ac6a5776a2d1064510d1fec758c921cc22b0e17e63aaf4bcb5ed66304de9cf809bd274ca73bab4af5a6e9c76a4bc09e76eae8991ef5ece45a",
      scheme: "bls-unchained-g1-rfc9380",
      genesis_time: 1692803367,
      period: 3
    }),
    default: Object.freeze({
      name: "default",
      hash: "8990e7a9aaed2ffed73dbd7092123d6f289930540d7651336225dc172e51b2ce",
      public_key: "868f005eb8e6e4ca0a47c8a77ceaa5309a47978a7c71bc5cce96366b5d7a569937c529eeda66c7293784a9402801af31",
      scheme: "pedersen-bls-chained",
      genesis_time: 1595431050,
      period: 30
    })
  });
  function secretWeakness(secret) {
    if (!(secret instanceof Uint8Array)) return "it is not bytes";
    if (secret.length !== SECRET_SIZE) return `it is ${secret.length} bytes, not ${SECRET_SIZE}`;
    const distinct = new Set(secret).size;
    if (distinct < MIN_DISTINCT_SECRET_BYTES) return `only ${distinct} distinct byte values`;
    let text = null;
    try {
      text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(secret);
    } catch {
      text = null;
    }
    if (text !== null && !/[\p{Cc}]/u.test(text.replace(/[\t\n\r]/g, ""))) return "it reads as text";
    const step = (secret[1] - secret[0] + 256) % 256;
    if (secret.every((b, i) => i === 0 || (b - secret[i - 1] + 256) % 256 === step)) {
      return "its bytes count up or down in equal steps";
    }
    return null;
  }
  function commitment(drawId, party, secret) {
    checkIdentifier(drawId, "draw_id");
    checkIdentifier(party, "party");
    const weakness = secretWeakness(secret);
    if (weakness !== null) {
      throw new InputError(`The secret is refused: ${weakness}.`, { field: `party '${party}'.secret` });
    }
    return taggedHash(Tag.COMMITMENT, drawId, party, secret);
  }
  var NUMBER_FORM_RE = /^(?:0|[1-9][0-9]*)(?: (?:0|[1-9][0-9]*))*$/;
  function sourceValueProblem(source, value) {
    if (typeof value !== "string") return "a source value is text";
    if (source.kind === "digits") {
      return new RegExp(`^[0-9]{${source.count}}$`).test(value) ? null : `not exactly ${source.count} digits 0-9`;
    }
    if (source.kind === "numbers") {
      if (!NUMBER_FORM_RE.test(value)) return "not numbers without leading zeros separated by single spaces";
      const numbers = value.split(" ").map(Number);
      if (numbers.length !== source.count) return `${numbers.length} numbers instead of ${source.count}`;
      if (numbers.some((n) => n < source.min || n > source.max)) return `a number outside ${source.min}-${source.max}`;
      if (source.distinct && new Set(numbers).size !== numbers.length) return "a number given twice";
      if (!source.ordered && numbers.some((n, i) => i > 0 && n < numbers[i - 1])) return "numbers not in ascending order";
      return null;
    }
    if (source.kind === "drand") {
      const chained = source.chain.scheme === "pedersen-bls-chained";
      const form = chained ? /^[0-9a-f]{192} [0-9a-f]{192}$/ : /^[0-9a-f]{96}$/;
      return form.test(value) ? null : "not the round signature in lower-case hex as drand publishes it";
    }
    return "unknown source kind";
  }
  function seedInput({ drawId, announcement, contributions, sources }) {
    checkIdentifier(drawId, "draw_id");
    if (typeof announcement !== "string" || !/^[0-9a-f]{64}$/.test(announcement)) {
      throw new InputError("The announcement digest must be 64 lower-case hex digits.", { field: "announcement" });
    }
    const byKey2 = (key) => (a, b) => compareCodePoints(a[key], b[key]);
    return {
      spec: SPEC_VERSION,
      draw_id: drawId,
      announcement,
      contributions: [...contributions].sort(byKey2("party")).map((c) => "reveal" in c && c.reveal !== void 0 ? { party: c.party, reveal: c.reveal } : { party: c.party, fallback: c.fallback }),
      sources: [...sources].sort(byKey2("name")).map((s) => ({ name: s.name, kind: s.kind, value: s.value }))
    };
  }
  function deriveSeed(input) {
    return taggedHash(Tag.SEED, canonicalBytes(seedInput(input)));
  }
  function replaySeed(ceremony, drawId) {
    const problems = [];
    const plan = ceremony.plan;
    const parties = new Map(plan.parties.map((p) => [p.name, p]));
    const sources = new Map([...plan.sources, ...plan.fallbacks].map((s) => [s.name, s]));
    const seen = /* @__PURE__ */ new Set();
    for (const c of ceremony.contributions) {
      const party = parties.get(c.party);
      seen.add(c.party);
      if (party === void 0) {
        problems.push(`party '${c.party}' is not in the seed plan`);
      } else if (c.reveal !== void 0) {
        const secret = Uint8Array.from(c.reveal.match(/../g), (h) => parseInt(h, 16));
        const weakness = secretWeakness(secret);
        if (weakness !== null) problems.push(`party '${c.party}' revealed a secret spec 4.2 refuses: ${weakness}`);
        else if (toHex(commitment(drawId, c.party, secret)) !== party.commitment) {
          problems.push(`party '${c.party}' revealed a secret that does not match its commitment`);
        }
      } else if (c.fallback !== party.fallback) {
        problems.push(`party '${c.party}' fell back to '${c.fallback}', not its declared '${party.fallback}'`);
      }
    }
    for (const name of parties.keys()) if (!seen.has(name)) problems.push(`party '${name}' neither revealed nor defaulted`);
    const needed = new Set(plan.sources.map((s) => s.name));
    for (const c of ceremony.contributions) if (c.fallback !== void 0) needed.add(c.fallback);
    for (const v of ceremony.sources) {
      const source = sources.get(v.name);
      if (source === void 0 || !needed.has(v.name)) {
        problems.push(`source '${v.name}' was not announced or not needed`);
        continue;
      }
      needed.delete(v.name);
      if (v.kind !== source.kind) problems.push(`source '${v.name}' is recorded as ${v.kind}, announced as ${source.kind}`);
      const problem = sourceValueProblem(source, v.value);
      if (problem !== null) problems.push(`source '${v.name}': ${problem}`);
    }
    for (const name of needed) problems.push(`source '${name}' has no value`);
    const seed = toHex(
      deriveSeed({ drawId, announcement: ceremony.announcement, contributions: ceremony.contributions, sources: ceremony.sources })
    );
    if (seed !== ceremony.seed) problems.push("the recorded seed is not the one the reveals and source values give");
    return { seed, problems };
  }

  // src/identity.js
  var SALT_SIZE = 16;
  var MAX_NAME_LENGTH = 128;
  var MIN_PASSPORT_LENGTH = 5;
  var MAX_PASSPORT_LENGTH = 32;
  var MIDDLE_DOT = "·";
  var DocumentType = Object.freeze({ RESIDENT_ID: "resident-id", PASSPORT: "passport" });
  var WHITE_SPACE = "	\n\v\f\r              \u2028\u2029  　";
  var WHITE_SPACE_SET = new Set(WHITE_SPACE);
  var DASH_OR_FORMAT_RE = /^[\p{Pd}\p{Cf}]$/u;
  function expectText(raw, field) {
    if (typeof raw !== "string") throw new InputError("The value must be text.", { field });
    if (hasLoneSurrogate(raw)) {
      throw new InputError("The text is not valid Unicode (a lone surrogate from a bad decode?).", {
        field,
        hint: "Re-read the source with its real encoding."
      });
    }
    return raw;
  }
  function documentType(value) {
    if (value === DocumentType.RESIDENT_ID || value === DocumentType.PASSPORT) return value;
    throw new InputError("The document type is unknown.", {
      field: "document_type",
      value,
      hint: "Use 'resident-id' or 'passport'."
    });
  }
  function asciiUpper(text) {
    return text.replace(/[a-z]+/g, (s) => s.toUpperCase());
  }
  function stripNumber(raw) {
    let out = "";
    for (const c of raw.normalize("NFKC")) {
      if (WHITE_SPACE_SET.has(c) || c === "−" || DASH_OR_FORMAT_RE.test(c)) continue;
      out += c;
    }
    return asciiUpper(out);
  }
  var NUMBER_MESSAGES = {
    empty: "The document number is empty.",
    passportCharacters: "A passport number may hold only the letters A-Z and digits.",
    passportLength: `A passport number must have ${MIN_PASSPORT_LENGTH} to ${MAX_PASSPORT_LENGTH} letters and digits.`,
    firstGeneration: "15-digit first-generation identity numbers are no longer valid.",
    length: "A resident identity number must have 18 characters.",
    characters: "A resident identity number must be 17 digits and a last digit or X.",
    permit: "Numbers starting with 8 are residence permits and must start 810000 (Hong Kong), 820000 (Macau) or 830000 (Taiwan).",
    check: "The check character does not match (ISO 7064 MOD 11-2).",
    date: "The date of birth (characters 7-14) is not a real date."
  };
  function numberError(key, hint) {
    return new InputError(NUMBER_MESSAGES[key], { field: "document_number", hint });
  }
  var PERMIT_PREFIXES = /* @__PURE__ */ new Set(["810000", "820000", "830000"]);
  function realDate(year, month, day) {
    if (year < 1 || month < 1 || month > 12 || day < 1) return false;
    const leap = year % 4 === 0 && year % 100 !== 0 || year % 400 === 0;
    const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
    return day <= days;
  }
  function normaliseDocumentNumber(type, raw) {
    const kind = documentType(type);
    const number = stripNumber(expectText(raw, "document_number"));
    if (!number) throw numberError("empty");
    if (kind === DocumentType.PASSPORT) {
      if (!/^[0-9A-Z]+$/.test(number)) {
        throw numberError("passportCharacters", "Type it as printed without brackets, e.g. A1234567 for A123456(7).");
      }
      if (number.length < MIN_PASSPORT_LENGTH || number.length > MAX_PASSPORT_LENGTH) {
        throw numberError("passportLength", "Check that the whole number was copied.");
      }
      return number;
    }
    if (/^[0-9]{15}$/.test(number)) {
      throw numberError("firstGeneration", "Use the 18-character number on the current card or household register.");
    }
    if (codePointLength(number) !== 18) throw numberError("length", "Check for missing or extra digits.");
    if (!/^[0-9]{17}[0-9X]$/.test(number)) {
      throw numberError("characters", "Only the last character may be the letter X; check for O typed for 0.");
    }
    const permit = number[0] === "9" || PERMIT_PREFIXES.has(number.slice(0, 6));
    if (number[0] === "8" && !permit) throw numberError("permit", "Check the first six digits.");
    let sum = 0;
    for (let i = 0; i < 18; i++) {
      const value = number[i] === "X" ? 10 : number.charCodeAt(i) - 48;
      sum = (sum * 2 + value) % 11;
    }
    if (sum !== 1) {
      throw numberError("check", "Check the last character and the date of birth; one of the 18 characters is mistyped.");
    }
    const year = Number(number.slice(6, 10));
    const month = Number(number.slice(10, 12));
    const day = Number(number.slice(12, 14));
    if (!realDate(year, month, day)) throw numberError("date", "Check the date of birth.");
    return number;
  }
  var MIDDLE_DOT_LOOKALIKES = new Set("•‧∙⋅・･⸱");
  var WHITE_SPACE_RUN_RE = new RegExp(`[${WHITE_SPACE}]+`, "gu");
  var SPACE_AROUND_DOT_RE = / ?\u00b7 ?/gu;
  var CONTROL_RE = /^[\p{Cc}\p{Cf}\p{Cs}]$/u;
  function isHan(char) {
    if (char === void 0) return false;
    const c = char.codePointAt(0);
    return c === 12293 || c === 12295 || c >= 13312 && c <= 19903 || c >= 19968 && c <= 40959 || c >= 57344 && c <= 63743 || c >= 63744 && c <= 64255 || c >= 131072 && c <= 262143;
  }
  function fullStopsToDots(text) {
    const chars = Array.from(text);
    let out = "";
    let i = 0;
    while (i < chars.length) {
      const stop = chars[i] === " " ? i + 1 : i;
      if (chars[stop] === "." || chars[stop] === "。") {
        const end = chars[stop + 1] === " " ? stop + 1 : stop;
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
  function dropSpacesBetweenHan(text) {
    const chars = Array.from(text);
    let out = "";
    for (let i = 0; i < chars.length; i++) {
      if (chars[i] === " " && isHan(chars[i - 1]) && isHan(chars[i + 1])) continue;
      out += chars[i];
    }
    return out;
  }
  var NAME_MESSAGES = {
    control: "The name contains a control or invisible character.",
    empty: "The name is empty.",
    dot: "A middle dot (·) must stand between two parts of the name.",
    asterisk: "The name contains an asterisk (*).",
    length: `The name is longer than ${MAX_NAME_LENGTH} characters.`
  };
  function nameError(key, hint) {
    return new InputError(NAME_MESSAGES[key], { field: "name", hint });
  }
  function normaliseName(raw) {
    let text = expectText(raw, "name").normalize("NFC");
    for (const c of text) {
      if (!WHITE_SPACE_SET.has(c) && CONTROL_RE.test(c)) {
        throw nameError("control", "Retype the name; invisible characters often come from copied web pages.");
      }
    }
    let mapped = "";
    for (const c of text) {
      const code = c.codePointAt(0);
      if (code >= 65281 && code <= 65374) mapped += String.fromCharCode(code - 65248);
      else if (MIDDLE_DOT_LOOKALIKES.has(c)) mapped += MIDDLE_DOT;
      else mapped += c;
    }
    text = mapped.replace(WHITE_SPACE_RUN_RE, " ");
    text = text.replace(/^ +| +$/g, "");
    text = fullStopsToDots(text);
    text = text.replace(SPACE_AROUND_DOT_RE, MIDDLE_DOT);
    text = dropSpacesBetweenHan(text);
    text = text.toUpperCase().normalize("NFC");
    if (!text) throw nameError("empty");
    if (text.startsWith(MIDDLE_DOT) || text.endsWith(MIDDLE_DOT) || text.includes(MIDDLE_DOT + MIDDLE_DOT)) {
      throw nameError("dot", "Write it like 阿卜杜拉·买买提.");
    }
    if (text.includes("*")) throw nameError("asterisk", "Use the full name from the registration, not a masked list.");
    if (codePointLength(text) > MAX_NAME_LENGTH) throw nameError("length");
    return checkIdentifier(text, "name");
  }
  var COMPOUND_SURNAMES = new Set(
    "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 轩辕 令狐 钟离 端木 独孤 南宫 西门 万俟 闻人 赫连 公羊 澹台 公冶 宗政 濮阳 淳于 单于 太叔 申屠 仲孙 鲜于 闾丘 司空 亓官 司寇 子车 颛孙 巫马 公西 漆雕 乐正 壤驷 公良 拓跋 夹谷 宰父 谷梁 段干 百里 东郭 南门 呼延 羊舌 微生 梁丘 左丘 东门 第五 贺兰 完颜 叱干 歐陽 司馬 諸葛 東方 尉遲 公孫 長孫 軒轅 鍾離 獨孤 南宮 西門 聞人 澹臺 濮陽 單于 仲孫 鮮于 閭丘 顓孫 樂正 壤駟 夾谷 穀梁 東郭 南門 東門 賀蘭 完顏".split(" ")
  );
  function maskName(name) {
    const chars = Array.from(normaliseName(name));
    const separator = (c) => c === " " || c === MIDDLE_DOT;
    const letters = chars.filter((c) => !separator(c)).length;
    const lead = chars.length >= 3 && COMPOUND_SURNAMES.has(chars[0] + chars[1]) ? 2 : 1;
    const shown = letters - lead >= 2 ? lead : 0;
    return chars.map((c, i) => i < shown || separator(c) ? c : "*").join("");
  }
  function maskDocumentNumber(type, number) {
    const kind = documentType(type);
    const text = normaliseDocumentNumber(kind, number);
    if (kind === DocumentType.RESIDENT_ID) return "*".repeat(text.length - 4) + text.slice(-4);
    const keep = text.length >= 8 ? 2 : 1;
    return text.slice(0, keep) + "*".repeat(text.length - 2 * keep) + text.slice(text.length - keep);
  }
  var BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  var SALT_TEXT_LENGTH = 26;
  var SALT_LAST_CHARACTERS = "AEIMQUY4";
  function checkSalt(salt) {
    if (!(salt instanceof Uint8Array) || salt.length !== SALT_SIZE) {
      throw new InputError(`A salt must be exactly ${SALT_SIZE} bytes.`, { field: "salt" });
    }
    return salt;
  }
  function formatSalt(salt) {
    checkSalt(salt);
    let bits = 0;
    let value = 0;
    let text = "";
    for (const byte of salt) {
      value = value << 8 | byte;
      bits += 8;
      while (bits >= 5) {
        text += BASE32[value >>> bits - 5 & 31];
        bits -= 5;
      }
      value &= (1 << bits) - 1;
    }
    if (bits) text += BASE32[value << 5 - bits & 31];
    return text.match(/.{1,4}/g).join("-");
  }
  function parseSalt(text) {
    const cleaned = stripNumber(expectText(text, "salt")).replaceAll("0", "O").replaceAll("1", "I");
    if (cleaned.length !== SALT_TEXT_LENGTH || !/^[A-Z2-7]+$/.test(cleaned)) {
      throw new InputError(`A receipt salt is ${SALT_TEXT_LENGTH} characters from A-Z and 2-7.`, {
        field: "salt",
        hint: "Copy all seven groups from the receipt, like ABCD-EFGH-…-XY."
      });
    }
    if (!SALT_LAST_CHARACTERS.includes(cleaned[SALT_TEXT_LENGTH - 1])) {
      throw new InputError("The last character of a receipt salt is one of A E I M Q U Y 4.", {
        field: "salt",
        hint: "Check the last group."
      });
    }
    const salt = new Uint8Array(SALT_SIZE);
    let bits = 0;
    let value = 0;
    let at = 0;
    for (const c of cleaned) {
      value = value << 5 | BASE32.indexOf(c);
      bits += 5;
      if (bits >= 8) {
        salt[at++] = value >>> bits - 8 & 255;
        bits -= 8;
        value &= (1 << bits) - 1;
      }
    }
    return salt;
  }
  function identityMessage({ drawId, registrationNumber, documentType: type, number, name, salt }) {
    checkIdentifier(drawId, "draw_id");
    checkIdentifier(registrationNumber, "registration_number");
    return taggedMessage(Tag.IDENTITY, drawId, registrationNumber, documentType(type), number, name, checkSalt(salt));
  }
  function identityCommitment({ drawId, registrationNumber, documentType: type, documentNumber, name, salt }) {
    const kind = documentType(type);
    const number = normaliseDocumentNumber(kind, documentNumber);
    return taggedHash(
      Tag.IDENTITY,
      checkIdentifier(drawId, "draw_id"),
      checkIdentifier(registrationNumber, "registration_number"),
      kind,
      number,
      normaliseName(name),
      checkSalt(salt)
    );
  }

  // src/zones.js
  var TIME_ZONES = Object.freeze(new Set(
    "Africa/Abidjan Africa/Accra Africa/Addis_Ababa Africa/Algiers Africa/Asmara Africa/Asmera Africa/Bamako Africa/Bangui Africa/Banjul Africa/Bissau Africa/Blantyre Africa/Brazzaville Africa/Bujumbura Africa/Cairo Africa/Casablanca Africa/Ceuta Africa/Conakry Africa/Dakar Africa/Dar_es_Salaam Africa/Djibouti Africa/Douala Africa/El_Aaiun Africa/Freetown Africa/Gaborone Africa/Harare Africa/Johannesburg Africa/Juba Africa/Kampala Africa/Khartoum Africa/Kigali Africa/Kinshasa Africa/Lagos Africa/Libreville Africa/Lome Africa/Luanda Africa/Lubumbashi Africa/Lusaka Africa/Malabo Africa/Maputo Africa/Maseru Africa/Mbabane Africa/Mogadishu Africa/Monrovia Africa/Nairobi Africa/Ndjamena Africa/Niamey Africa/Nouakchott Africa/Ouagadougou Africa/Porto-Novo Africa/Sao_Tome Africa/Timbuktu Africa/Tripoli Africa/Tunis Africa/Windhoek America/Adak America/Anchorage America/Anguilla America/Antigua America/Araguaina America/Argentina/Buenos_Aires America/Argentina/Catamarca America/Argentina/ComodRivadavia America/Argentina/Cordoba America/Argentina/Jujuy America/Argentina/La_Rioja America/Argentina/Mendoza America/Argentina/Rio_Gallegos America/Argentina/Salta America/Argentina/San_Juan America/Argentina/San_Luis America/Argentina/Tucuman America/Argentina/Ushuaia America/Aruba America/Asuncion America/Atikokan America/Atka America/Bahia America/Bahia_Banderas America/Barbados America/Belem America/Belize America/Blanc-Sablon America/Boa_Vista America/Bogota America/Boise America/Buenos_Aires America/Cambridge_Bay America/Campo_Grande America/Cancun America/Caracas America/Catamarca America/Cayenne America/Cayman America/Chicago America/Chihuahua America/Ciudad_Juarez America/Coral_Harbour America/Cordoba America/Costa_Rica America/Coyhaique America/Creston America/Cuiaba America/Curacao America/Danmarkshavn America/Dawson America/Dawson_Creek America/Denver America/Detroit America/Dominica America/Edmonton America/Eirunepe America/El_Salvador America/Ensenada America/Fort_Nelson America/Fort_Wayne America/Fortaleza America/Glace_Bay America/Godthab America/Goose_Bay America/Grand_Turk America/Grenada America/Guadeloupe America/Guatemala America/Guayaquil America/Guyana America/Halifax America/Havana America/Hermosillo America/Indiana/Indianapolis America/Indiana/Knox America/Indiana/Marengo America/Indiana/Petersburg America/Indiana/Tell_City America/Indiana/Vevay America/Indiana/Vincennes America/Indiana/Winamac America/Indianapolis America/Inuvik America/Iqaluit America/Jamaica America/Jujuy America/Juneau America/Kentucky/Louisville America/Kentucky/Monticello America/Knox_IN America/Kralendijk America/La_Paz America/Lima America/Los_Angeles America/Louisville America/Lower_Princes America/Maceio America/Managua America/Manaus America/Marigot America/Martinique America/Matamoros America/Mazatlan America/Mendoza America/Menominee America/Merida America/Metlakatla America/Mexico_City America/Miquelon America/Moncton America/Monterrey America/Montevideo America/Montreal America/Montserrat America/Nassau America/New_York America/Nipigon America/Nome America/Noronha America/North_Dakota/Beulah America/North_Dakota/Center America/North_Dakota/New_Salem America/Nuuk America/Ojinaga America/Panama America/Pangnirtung America/Paramaribo America/Phoenix America/Port-au-Prince America/Port_of_Spain America/Porto_Acre America/Porto_Velho America/Puerto_Rico America/Punta_Arenas America/Rainy_River America/Rankin_Inlet America/Recife America/Regina America/Resolute America/Rio_Branco America/Rosario America/Santa_Isabel America/Santarem America/Santiago America/Santo_Domingo America/Sao_Paulo America/Scoresbysund America/Shiprock America/Sitka America/St_Barthelemy America/St_Johns America/St_Kitts America/St_Lucia America/St_Thomas America/St_Vincent America/Swift_Current America/Tegucigalpa America/Thule America/Thunder_Bay America/Tijuana America/Toronto America/Tortola America/Vancouver America/Virgin America/Whitehorse America/Winnipeg America/Yakutat America/Yellowknife Antarctica/Casey Antarctica/Davis Antarctica/DumontDUrville Antarctica/Macquarie Antarctica/Mawson Antarctica/McMurdo Antarctica/Palmer Antarctica/Rothera Antarctica/South_Pole Antarctica/Syowa Antarctica/Troll Antarctica/Vostok Arctic/Longyearbyen Asia/Aden Asia/Almaty Asia/Amman Asia/Anadyr Asia/Aqtau Asia/Aqtobe Asia/Ashgabat Asia/Ashkhabad Asia/Atyrau Asia/Baghdad Asia/Bahrain Asia/Baku Asia/Bangkok Asia/Barnaul Asia/Beirut Asia/Bishkek Asia/Brunei Asia/Calcutta Asia/Chita Asia/Choibalsan Asia/Chongqing Asia/Chungking Asia/Colombo Asia/Dacca Asia/Damascus Asia/Dhaka Asia/Dili Asia/Dubai Asia/Dushanbe Asia/Famagusta Asia/Gaza Asia/Harbin Asia/Hebron Asia/Ho_Chi_Minh Asia/Hong_Kong Asia/Hovd Asia/Irkutsk Asia/Istanbul Asia/Jakarta Asia/Jayapura Asia/Jerusalem Asia/Kabul Asia/Kamchatka Asia/Karachi Asia/Kashgar Asia/Kathmandu Asia/Katmandu Asia/Khandyga Asia/Kolkata Asia/Krasnoyarsk Asia/Kuala_Lumpur Asia/Kuching Asia/Kuwait Asia/Macao Asia/Macau Asia/Magadan Asia/Makassar Asia/Manila Asia/Muscat Asia/Nicosia Asia/Novokuznetsk Asia/Novosibirsk Asia/Omsk Asia/Oral Asia/Phnom_Penh Asia/Pontianak Asia/Pyongyang Asia/Qatar Asia/Qostanay Asia/Qyzylorda Asia/Rangoon Asia/Riyadh Asia/Saigon Asia/Sakhalin Asia/Samarkand Asia/Seoul Asia/Shanghai Asia/Singapore Asia/Srednekolymsk Asia/Taipei Asia/Tashkent Asia/Tbilisi Asia/Tehran Asia/Tel_Aviv Asia/Thimbu Asia/Thimphu Asia/Tokyo Asia/Tomsk Asia/Ujung_Pandang Asia/Ulaanbaatar Asia/Ulan_Bator Asia/Urumqi Asia/Ust-Nera Asia/Vientiane Asia/Vladivostok Asia/Yakutsk Asia/Yangon Asia/Yekaterinburg Asia/Yerevan Atlantic/Azores Atlantic/Bermuda Atlantic/Canary Atlantic/Cape_Verde Atlantic/Faeroe Atlantic/Faroe Atlantic/Jan_Mayen Atlantic/Madeira Atlantic/Reykjavik Atlantic/South_Georgia Atlantic/St_Helena Atlantic/Stanley Australia/ACT Australia/Adelaide Australia/Brisbane Australia/Broken_Hill Australia/Canberra Australia/Currie Australia/Darwin Australia/Eucla Australia/Hobart Australia/LHI Australia/Lindeman Australia/Lord_Howe Australia/Melbourne Australia/NSW Australia/North Australia/Perth Australia/Queensland Australia/South Australia/Sydney Australia/Tasmania Australia/Victoria Australia/West Australia/Yancowinna Brazil/Acre Brazil/DeNoronha Brazil/East Brazil/West CET CST6CDT Canada/Atlantic Canada/Central Canada/Eastern Canada/Mountain Canada/Newfoundland Canada/Pacific Canada/Saskatchewan Canada/Yukon Chile/Continental Chile/EasterIsland Cuba EET EST EST5EDT Egypt Eire Etc/GMT Etc/GMT+0 Etc/GMT+1 Etc/GMT+10 Etc/GMT+11 Etc/GMT+12 Etc/GMT+2 Etc/GMT+3 Etc/GMT+4 Etc/GMT+5 Etc/GMT+6 Etc/GMT+7 Etc/GMT+8 Etc/GMT+9 Etc/GMT-0 Etc/GMT-1 Etc/GMT-10 Etc/GMT-11 Etc/GMT-12 Etc/GMT-13 Etc/GMT-14 Etc/GMT-2 Etc/GMT-3 Etc/GMT-4 Etc/GMT-5 Etc/GMT-6 Etc/GMT-7 Etc/GMT-8 Etc/GMT-9 Etc/GMT0 Etc/Greenwich Etc/UCT Etc/UTC Etc/Universal Etc/Zulu Europe/Amsterdam Europe/Andorra Europe/Astrakhan Europe/Athens Europe/Belfast Europe/Belgrade Europe/Berlin Europe/Bratislava Europe/Brussels Europe/Bucharest Europe/Budapest Europe/Busingen Europe/Chisinau Europe/Copenhagen Europe/Dublin Europe/Gibraltar Europe/Guernsey Europe/Helsinki Europe/Isle_of_Man Europe/Istanbul Europe/Jersey Europe/Kaliningrad Europe/Kiev Europe/Kirov Europe/Kyiv Europe/Lisbon Europe/Ljubljana Europe/London Europe/Luxembourg Europe/Madrid Europe/Malta Europe/Mariehamn Europe/Minsk Europe/Monaco Europe/Moscow Europe/Nicosia Europe/Oslo Europe/Paris Europe/Podgorica Europe/Prague Europe/Riga Europe/Rome Europe/Samara Europe/San_Marino Europe/Sarajevo Europe/Saratov Europe/Simferopol Europe/Skopje Europe/Sofia Europe/Stockholm Europe/Tallinn Europe/Tirane Europe/Tiraspol Europe/Ulyanovsk Europe/Uzhgorod Europe/Vaduz Europe/Vatican Europe/Vienna Europe/Vilnius Europe/Volgograd Europe/Warsaw Europe/Zagreb Europe/Zaporozhye Europe/Zurich Factory GB GB-Eire GMT GMT+0 GMT-0 GMT0 Greenwich HST Hongkong Iceland Indian/Antananarivo Indian/Chagos Indian/Christmas Indian/Cocos Indian/Comoro Indian/Kerguelen Indian/Mahe Indian/Maldives Indian/Mauritius Indian/Mayotte Indian/Reunion Iran Israel Jamaica Japan Kwajalein Libya MET MST MST7MDT Mexico/BajaNorte Mexico/BajaSur Mexico/General NZ NZ-CHAT Navajo PRC PST8PDT Pacific/Apia Pacific/Auckland Pacific/Bougainville Pacific/Chatham Pacific/Chuuk Pacific/Easter Pacific/Efate Pacific/Enderbury Pacific/Fakaofo Pacific/Fiji Pacific/Funafuti Pacific/Galapagos Pacific/Gambier Pacific/Guadalcanal Pacific/Guam Pacific/Honolulu Pacific/Johnston Pacific/Kanton Pacific/Kiritimati Pacific/Kosrae Pacific/Kwajalein Pacific/Majuro Pacific/Marquesas Pacific/Midway Pacific/Nauru Pacific/Niue Pacific/Norfolk Pacific/Noumea Pacific/Pago_Pago Pacific/Palau Pacific/Pitcairn Pacific/Pohnpei Pacific/Ponape Pacific/Port_Moresby Pacific/Rarotonga Pacific/Saipan Pacific/Samoa Pacific/Tahiti Pacific/Tarawa Pacific/Tongatapu Pacific/Truk Pacific/Wake Pacific/Wallis Pacific/Yap Poland Portugal ROC ROK Singapore Turkey UCT US/Alaska US/Aleutian US/Arizona US/Central US/East-Indiana US/Eastern US/Hawaii US/Indiana-Starke US/Michigan US/Mountain US/Pacific US/Samoa UTC Universal W-SU WET Zulu".split(" ")
  ));

  // src/rules.js
  var DEFAULT_TIME_ZONE = "Asia/Shanghai";
  var OPEN_BLOCK = "open";
  var MAX_BLOCKS = 8;
  var MAX_CHOICES = 32;
  var Mechanism = Object.freeze({
    INDEPENDENT: "independent",
    FIRST_CHOICE_FIRST: "first-choice-first",
    DEFERRED_ACCEPTANCE: "deferred-acceptance"
  });
  var TieBreak = Object.freeze({ SINGLE: "single", PER_KINDERGARTEN: "per-kindergarten" });
  var Multiples = Object.freeze({
    SEPARATE: "separate",
    BUNDLE: "bundle",
    BUNDLE_OVER_PLAN: "bundle-over-plan",
    MERGE_AFTER: "merge-after"
  });
  var Unanswered = Object.freeze({ DECLINE: "decline", CONFIRM: "confirm" });
  var RoundSeed = Object.freeze({ FRESH: "fresh", SAME: "same" });
  function enumValue(kind, value, field) {
    const allowed = Object.values(kind);
    if (!allowed.includes(value)) {
      throw new RulesError(`The ${field} is unknown.`, {
        field,
        value,
        hint: `Use one of ${allowed.map((v) => `'${v}'`).join(", ")}.`
      });
    }
    return value;
  }
  function identifier(value, field) {
    try {
      return checkIdentifier(value, field);
    } catch (error) {
      throw new RulesError(error.problem, { field, value: error.value, hint: error.hint });
    }
  }
  function displayText(value, field) {
    if (typeof value !== "string") throw new RulesError("The value must be text.", { field, value });
    const bad = value.match(/[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u);
    if (bad) {
      const code = bad[0].codePointAt(0).toString(16).toUpperCase().padStart(4, "0");
      throw new RulesError(`The text contains the control or format character U+${code}.`, {
        field,
        value,
        hint: "Remove it; it can make the text display differently from what it says."
      });
    }
    return value;
  }
  function noDuplicates(values, field) {
    const seen = /* @__PURE__ */ new Set();
    for (const v of values) {
      if (seen.has(v)) throw new DuplicateError("The value appears twice.", { field, value: v });
      seen.add(v);
    }
  }
  function readKindergarten(fields) {
    const id = identifier(fields.string("id"), "kindergarten.id");
    const where = `kindergarten '${id}'`;
    const name = displayText(fields.has("name") ? fields.string("name") : "", `${where}.name`);
    const seats = fields.integer("seats");
    if (seats <= 0) {
      throw new RulesError("The capacity must be a positive integer.", {
        field: `${where}.seats`,
        value: seats,
        hint: "Give the number of places offered (classes × class size)."
      });
    }
    const blocks = fields.has("blocks") ? fields.each("blocks", (b) => {
      const blockName = identifier(b.string("name"), "block.name");
      const blockSeats = b.integer("seats");
      const fact = identifier(b.string("fact"), "block.fact");
      if (blockName === OPEN_BLOCK) {
        throw new RulesError(`'${OPEN_BLOCK}' names the unreserved seats and cannot be a block name.`, {
          field: "block.name",
          value: blockName
        });
      }
      if (blockSeats < 0) {
        throw new RulesError("Block seats must be a non-negative integer.", {
          field: `block '${blockName}'.seats`,
          value: blockSeats
        });
      }
      return Object.freeze({ name: blockName, seats: blockSeats, fact });
    }) : [];
    if (blocks.length > MAX_BLOCKS) {
      throw new RulesError(`A kindergarten has at most ${MAX_BLOCKS} seat blocks.`, {
        field: `${where}.blocks`,
        value: blocks.length
      });
    }
    noDuplicates(blocks.map((b) => b.name), `${where}.blocks`);
    const reserved = blocks.reduce((sum, b) => sum + b.seats, 0);
    if (reserved > seats) {
      throw new RulesError(`The seat blocks add up to ${reserved}, more than the capacity ${seats}.`, {
        field: `${where}.blocks`,
        hint: "Reduce the blocks or raise the capacity."
      });
    }
    return Object.freeze({ id, name, seats, blocks: Object.freeze(blocks), reserved });
  }
  function readPhase(fields) {
    const name = identifier(fields.string("name"), "phase.name");
    const where = `phase '${name}'`;
    const identifiers = (key) => {
      if (!fields.has(key) || fields.data[key] === null) {
        if (fields.has(key)) fields.value(key);
        return null;
      }
      return Object.freeze(fields.strings(key).map((v) => identifier(v, `${where}.${key}`)));
    };
    const tiers = identifiers("tiers");
    const blocks = identifiers("blocks");
    const fact = fields.has("fact") ? fields.optionalString("fact") : null;
    if (fact !== null) identifier(fact, `${where}.fact`);
    const choices = fields.has("choices") ? fields.optionalInteger("choices") : null;
    if (choices !== null && choices < 1) {
      throw new RulesError("The value must be a positive integer.", { field: `${where}.choices`, value: choices });
    }
    return Object.freeze({ name, tiers, fact, blocks, choices });
  }
  function parseRules(data, { document = "rules" } = {}) {
    const value = typeof data === "string" || data instanceof Uint8Array ? parseJson(data, { document }) : data;
    const fields = Fields.of(value, { document });
    const spec = fields.value("spec");
    if (spec !== SPEC_VERSION) {
      throw fields.error("spec", `written for spec version ${JSON.stringify(spec)}; this reads spec ${SPEC_VERSION}`, spec);
    }
    const text = (key, fallback) => fields.has(key) ? fields.string(key) : fallback;
    const drawId = identifier(fields.string("draw_id"), "draw_id");
    const timeZone = text("time_zone", DEFAULT_TIME_ZONE);
    if (!TIME_ZONES.has(timeZone)) {
      throw new RulesError("The value is not an IANA time zone name.", {
        field: "time_zone",
        value: timeZone,
        hint: `Use a name such as '${DEFAULT_TIME_ZONE}' (Area/City, as in the tz database).`
      });
    }
    const rules = {
      draw_id: drawId,
      title: displayText(text("title", ""), "title"),
      authority: displayText(text("authority", ""), "authority"),
      time_zone: timeZone,
      mechanism: enumValue(Mechanism, text("mechanism", Mechanism.DEFERRED_ACCEPTANCE), "mechanism"),
      tie_break: enumValue(TieBreak, text("tie_break", TieBreak.SINGLE), "tie_break"),
      tiers: Object.freeze(fields.has("tiers") ? fields.strings("tiers").map((t) => identifier(t, "tiers")) : []),
      multiples: enumValue(Multiples, text("multiples", Multiples.SEPARATE), "multiples"),
      merge_over_capacity: fields.has("merge_over_capacity") ? fields.boolean("merge_over_capacity") : false,
      waitlist_length: fields.has("waitlist_length") ? fields.integer("waitlist_length") : 0,
      min_lottery_percent: fields.has("min_lottery_percent") ? fields.integer("min_lottery_percent") : 0,
      phases: Object.freeze(fields.has("phases") ? fields.each("phases", readPhase) : []),
      kindergartens: Object.freeze(fields.each("kindergartens", readKindergarten)),
      unanswered: enumValue(Unanswered, text("unanswered", Unanswered.DECLINE), "unanswered"),
      round_seed: enumValue(RoundSeed, text("round_seed", RoundSeed.FRESH), "round_seed")
    };
    fields.done();
    for (const key of ["waitlist_length", "min_lottery_percent"]) {
      if (rules[key] < 0) throw new RulesError("The value must be a non-negative integer.", { field: key, value: rules[key] });
    }
    if (rules.kindergartens.length === 0) {
      throw new RulesError("The rules list no kindergartens.", {
        field: "kindergartens",
        hint: "List at least one kindergarten."
      });
    }
    noDuplicates(rules.kindergartens.map((k) => k.id), "kindergartens.id");
    noDuplicates(rules.tiers, "tiers");
    if (rules.min_lottery_percent > 100) {
      throw new RulesError("The value must be at most 100.", {
        field: "min_lottery_percent",
        value: rules.min_lottery_percent
      });
    }
    for (const kg of rules.kindergartens) {
      if (kg.reserved * 100 > kg.seats * (100 - rules.min_lottery_percent)) {
        throw new RulesError(
          `The blocks reserve ${kg.reserved} of ${kg.seats} seats, leaving less than ${rules.min_lottery_percent}% to the open lottery.`,
          { field: `kindergarten '${kg.id}'.blocks`, hint: "Shrink the blocks or lower min_lottery_percent." }
        );
      }
    }
    if (rules.multiples === Multiples.MERGE_AFTER && rules.mechanism === Mechanism.INDEPENDENT) {
      throw new RulesError(
        "merge-after needs one placement per child; the independent lottery lets parents choose among several wins instead.",
        { field: "multiples", value: rules.multiples, hint: "Use separate, bundle or bundle-over-plan." }
      );
    }
    const blockNames = new Set(rules.kindergartens.flatMap((k) => k.blocks.map((b) => b.name)));
    noDuplicates(rules.phases.map((p) => p.name), "phases.name");
    for (const phase of rules.phases) {
      for (const tier of phase.tiers ?? []) {
        if (!rules.tiers.includes(tier)) {
          throw new RulesError("The phase names a tier not declared in the rules.", {
            field: `phase '${phase.name}'.tiers`,
            value: tier
          });
        }
      }
      for (const block of phase.blocks ?? []) {
        if (!blockNames.has(block)) {
          throw new RulesError("The phase names a seat block no kindergarten has.", {
            field: `phase '${phase.name}'.blocks`,
            value: block
          });
        }
      }
    }
    return Object.freeze(rules);
  }
  function rulesJson(rules) {
    return {
      spec: SPEC_VERSION,
      draw_id: rules.draw_id,
      title: rules.title,
      authority: rules.authority,
      time_zone: rules.time_zone,
      mechanism: rules.mechanism,
      tie_break: rules.tie_break,
      tiers: [...rules.tiers],
      multiples: rules.multiples,
      merge_over_capacity: rules.merge_over_capacity,
      waitlist_length: rules.waitlist_length,
      min_lottery_percent: rules.min_lottery_percent,
      phases: rules.phases.map((p) => ({
        name: p.name,
        tiers: p.tiers === null ? null : [...p.tiers],
        fact: p.fact,
        blocks: p.blocks === null ? null : [...p.blocks],
        choices: p.choices
      })),
      kindergartens: rules.kindergartens.map((k) => ({
        id: k.id,
        name: k.name,
        seats: k.seats,
        blocks: k.blocks.map((b) => ({ name: b.name, seats: b.seats, fact: b.fact }))
      })),
      unanswered: rules.unanswered,
      round_seed: rules.round_seed
    };
  }
  function rulesDigest(rules) {
    return taggedHash(Tag.RULES, rules.draw_id, canonicalBytes(rulesJson(rules)));
  }

  // src/records.js
  var RECORD_KEYS = ["choices", "facts", "group", "identity", "registration_number", "tier"];
  var FACT_KEYS = ["fact", "kindergarten"];
  function recordObject({ registration_number, choices, facts = [], group = null, identity = null, tier = null }) {
    const sorted = [...facts].sort(
      (a, b) => compareCodePoints(a.fact, b.fact) || compareCodePoints(a.kindergarten, b.kindergarten)
    );
    return {
      choices: [...choices],
      facts: sorted.map((f) => ({ fact: f.fact, kindergarten: f.kindergarten })),
      group,
      identity,
      registration_number,
      tier
    };
  }
  function recordLine(record) {
    return canonicalJson(recordObject(record));
  }
  function recordLeaf(drawId, line) {
    return taggedMessage(Tag.RECORD, drawId, typeof line === "string" ? utf8(line) : line);
  }
  function resultLeaf(drawId, line) {
    return taggedMessage(Tag.RESULT, drawId, typeof line === "string" ? utf8(line) : line);
  }
  function splitLines(file, source) {
    const text = typeof file === "string" ? file : fromUtf8(file, source);
    if (text === "") return [];
    if (!text.endsWith("\n")) {
      throw new InputError("The file does not end with a line break; it may have been cut short.", {
        source,
        hint: "Every line, the last included, ends in a line break (0x0A)."
      });
    }
    return text.slice(0, -1).split("\n");
  }
  function lineError(problem, row, hint) {
    return new InputError(problem, { row, source: "records", hint });
  }
  function exactKeys(value, keys) {
    if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
    const own = Object.keys(value);
    return own.length === keys.length && keys.every((k) => Object.prototype.hasOwnProperty.call(value, k));
  }
  function optionalIdentifier(value, field, row) {
    if (value === null) return null;
    try {
      return checkIdentifier(value, field);
    } catch (error) {
      throw lineError(`${error.problem} (field '${field}')`, row);
    }
  }
  function parseRecords(file) {
    const lines = splitLines(file, "records");
    const records = [];
    let previous = null;
    let withIdentity = null;
    for (let i = 0; i < lines.length; i++) {
      const row = i + 1;
      const line = lines[i];
      let data;
      try {
        data = JSON.parse(line);
      } catch (cause) {
        throw lineError("The record line is not JSON.", row);
      }
      if (!exactKeys(data, RECORD_KEYS)) {
        throw lineError(`A record line has exactly the keys ${RECORD_KEYS.join(", ")}.`, row);
      }
      const reg = optionalIdentifier(data.registration_number, "registration_number", row);
      if (reg === null) throw lineError("The registration number is missing.", row);
      if (!Array.isArray(data.choices)) throw lineError("The choices are not a list.", row);
      const choices = data.choices.map((c) => optionalIdentifier(c, "choices", row) ?? missing(row));
      if (!Array.isArray(data.facts)) throw lineError("The facts are not a list.", row);
      const facts = data.facts.map((f) => {
        if (!exactKeys(f, FACT_KEYS)) throw lineError("A fact has exactly the keys fact and kindergarten.", row);
        return {
          fact: optionalIdentifier(f.fact, "facts.fact", row) ?? missing(row),
          kindergarten: optionalIdentifier(f.kindergarten, "facts.kindergarten", row) ?? missing(row)
        };
      });
      const group = optionalIdentifier(data.group, "group", row);
      const tier = optionalIdentifier(data.tier, "tier", row);
      const identity = data.identity;
      if (identity !== null && (typeof identity !== "string" || !/^[0-9a-f]{64}$/.test(identity))) {
        throw lineError("The identity commitment is not 64 lower-case hex digits.", row);
      }
      if (withIdentity === null) withIdentity = identity !== null;
      else if (withIdentity !== (identity !== null)) {
        throw lineError("Some records carry an identity commitment and some do not.", row);
      }
      const record = { registration_number: reg, choices, facts, group, identity, tier };
      if (recordLine(record) !== line) {
        throw lineError("The record line is not in RFC 8785 canonical form.", row, "Lines must be exactly as alloc writes them.");
      }
      if (previous !== null && compareCodePoints(reg, previous) <= 0) {
        throw lineError("The records are not in ascending registration-number order.", row);
      }
      previous = reg;
      records.push(record);
    }
    return { records, lines };
  }
  function missing(row) {
    throw lineError("A value in the record is null where text is required.", row);
  }
  function recordsRoot(drawId, lines) {
    return merkleRoot(lines.map(utf8), { prefix: recordLeaf(drawId, new Uint8Array(0)) });
  }
  function resultsRoot(drawId, lines) {
    return merkleRoot(lines.map(utf8), { prefix: resultLeaf(drawId, new Uint8Array(0)) });
  }
  function resultLine(result) {
    return canonicalJson(result);
  }
  var TICKET_RE = /^[0-9a-f]{64}$/;
  function parseResultLine(line) {
    const document = "result line";
    const fields = Fields.of(parseJson(line, { document }), { document });
    fields.optionalString("block");
    fields.strings("choice_tickets").forEach((t, i) => {
      if (!TICKET_RE.test(t)) throw fields.error(`choice_tickets[${i}]`, "expected 64 lower-case hexadecimal digits", t);
    });
    fields.optionalString("moved_from");
    fields.boolean("over_capacity");
    fields.optionalString("phase");
    fields.optionalString("placed");
    fields.string("registration_number");
    fields.hex("ticket", 32);
    fields.each("waitlist", (w) => [w.string("kindergarten"), w.integer("position", { minimum: 1 })]);
    fields.each("wins", (w) => [w.string("block"), w.string("kindergarten"), w.optionalString("phase")]);
    fields.done();
    if (canonicalJson(fields.data) !== (typeof line === "string" ? line : fromUtf8(line))) {
      throw new InputError("The result line is not in RFC 8785 canonical form.", { source: "results" });
    }
    return fields.data;
  }

  // src/engine.js
  var NONE = -1;
  var MOVED = -2;
  function rowError(reg, problem, field, value, hint, Kind = InputError) {
    return new Kind(`Applicant '${reg}' ${problem}`, { field, value, hint, source: "records" });
  }
  function prepare(rules, records, seed) {
    const kgs = rules.kindergartens;
    const K = kgs.length;
    const kgIndex = new Map(kgs.map((k, i) => [k.id, i]));
    const n = records.length;
    let C = 1;
    for (const r of records) C = Math.max(C, r.choices.length);
    const rowChoices = new Int32Array(n * C).fill(NONE);
    const rowWidth = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const r = records[i];
      r.choices.forEach((id, c) => {
        const k = kgIndex.get(id);
        if (k === void 0) {
          throw rowError(r.registration_number, "chooses a kindergarten the rules do not list.", `choice ${c + 1}`, id, "Use a kindergarten id from the rules.");
        }
        rowChoices[i * C + c] = k;
      });
      rowWidth[i] = r.choices.length;
    }
    for (let i = 0; i < n; i++) {
      if (rowWidth[i] === 0) {
        throw rowError(records[i].registration_number, "lists no kindergarten.", "choices", void 0, "Give at least one choice.");
      }
    }
    for (let i = 0; i < n; i++) {
      const seen = /* @__PURE__ */ new Set();
      for (const id of records[i].choices) {
        if (seen.has(id)) {
          throw rowError(records[i].registration_number, "lists the same kindergarten twice.", "choices", id, "Each kindergarten may appear once per child.", DuplicateError);
        }
        seen.add(id);
      }
    }
    const tierRank = new Map(rules.tiers.map((t, i) => [t, i]));
    const rowTier = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const t = records[i].tier;
      if (rules.tiers.length) {
        if (t === null || !tierRank.has(t)) {
          throw rowError(records[i].registration_number, "has a tier the rules do not declare.", "tier", t, `Use one of ${rules.tiers.join(", ")}.`);
        }
        rowTier[i] = tierRank.get(t);
      } else if (t !== null) {
        throw rowError(records[i].registration_number, "has a tier, but the rules declare none.", "tier", t, "Declare the tiers in the rules or leave the tier empty.");
      }
    }
    const rowFacts = new Array(n).fill(null);
    for (let i = 0; i < n; i++) {
      for (const f of records[i].facts) {
        const k = kgIndex.get(f.kindergarten);
        if (k === void 0) {
          throw rowError(records[i].registration_number, "holds a fact at a kindergarten the rules do not list.", "facts", f.kindergarten, "Use a kindergarten id from the rules.");
        }
        (rowFacts[i] ??= /* @__PURE__ */ new Set()).add(f.fact + "\0" + k);
      }
    }
    const tickets = ticketMaker(seed, rules.draw_id);
    const rowTicket = records.map((r) => tickets.child(r.registration_number));
    const perKg = rules.tie_break === TieBreak.PER_KINDERGARTEN;
    const rowChoiceTickets = perKg ? records.map((r) => r.choices.map((kg) => tickets.childAt(r.registration_number, kg))) : null;
    const groups = /* @__PURE__ */ new Map();
    for (let i = 0; i < n; i++) {
      const g = records[i].group;
      if (g !== null) {
        if (!groups.has(g)) groups.set(g, []);
        groups.get(g).push(i);
      }
    }
    const groupIds = [...groups.keys()].sort(compareCodePoints);
    for (const g of groupIds) {
      const rows = groups.get(g);
      if (rows.length < 2) {
        throw rowError(records[rows[0]].registration_number, "is the only member of its multiples group.", "group", g, "Register every sibling with the same group id, or clear the group.");
      }
      const lead = records[rows[0]].choices;
      for (const row of rows.slice(1)) {
        const mine = records[row].choices;
        if (mine.length !== lead.length || mine.some((id, c) => id !== lead[c])) {
          throw rowError(records[row].registration_number, "lists different choices from a sibling in its multiples group.", "group", g, `Siblings must list identical choices (compare '${records[rows[0]].registration_number}').`);
        }
      }
    }
    const bundle = rules.multiples === Multiples.BUNDLE || rules.multiples === Multiples.BUNDLE_OVER_PLAN;
    const unitMembers = [];
    const unitGroup = [];
    for (let i = 0; i < n; i++) {
      if (bundle && records[i].group !== null) continue;
      unitMembers.push([i]);
      unitGroup.push(null);
    }
    if (bundle) {
      for (const g of groupIds) {
        unitMembers.push(groups.get(g));
        unitGroup.push(g);
      }
    }
    const U = unitMembers.length;
    const weight = new Int32Array(U);
    const tier = new Int32Array(U);
    const choiceKg = new Int32Array(U * C).fill(NONE);
    const width = new Int32Array(U);
    const elig = new Uint32Array(U * C);
    const unitFacts = new Array(U).fill(null);
    const unitTicket = new Array(U);
    const unitChoiceTickets = perKg ? new Array(U) : null;
    const rowUnit = new Int32Array(n);
    for (let u = 0; u < U; u++) {
      const members = unitMembers[u];
      const head = members[0];
      weight[u] = members.length;
      width[u] = rowWidth[head];
      let worst = 0;
      let facts = rowFacts[head];
      for (const m of members) {
        rowUnit[m] = u;
        worst = Math.max(worst, rowTier[m]);
        if (m !== head) facts = facts === null || rowFacts[m] === null ? null : new Set([...facts].filter((f) => rowFacts[m].has(f)));
      }
      if (facts !== null && facts.size === 0) facts = null;
      tier[u] = worst;
      unitFacts[u] = facts;
      const g = unitGroup[u];
      unitTicket[u] = g === null ? rowTicket[head] : tickets.group(g);
      if (perKg) {
        unitChoiceTickets[u] = g === null ? rowChoiceTickets[head] : records[head].choices.map((kg) => tickets.groupAt(g, kg));
      }
      for (let c = 0; c < width[u]; c++) {
        const k = rowChoices[head * C + c];
        choiceKg[u * C + c] = k;
        if (facts !== null) {
          let bits = 0;
          kgs[k].blocks.forEach((b, j) => {
            if (facts.has(b.fact + "\0" + k)) bits |= 1 << j;
          });
          elig[u * C + c] = bits;
        }
      }
    }
    const unitOrder = Array.from({ length: U }, (_, u) => u).sort((a, b) => cmpHex(unitTicket[a], unitTicket[b]));
    for (let i = 1; i < U; i++) {
      if (unitTicket[unitOrder[i]] === unitTicket[unitOrder[i - 1]]) {
        throw new DuplicateError("Two lottery numbers are equal, which only a duplicate registration number can cause.", {
          field: "registration_number"
        });
      }
    }
    const key = new Float64Array(U * C);
    if (!perKg) {
      const rank = new Float64Array(U);
      unitOrder.forEach((u, i) => {
        rank[u] = i;
      });
      for (let u = 0; u < U; u++) {
        for (let c = 0; c < width[u]; c++) key[u * C + c] = tier[u] * U + rank[u];
      }
    } else {
      const cells = [];
      for (let u = 0; u < U; u++) for (let c = 0; c < width[u]; c++) cells.push(u * C + c);
      const ticketOf = (cell) => unitChoiceTickets[Math.floor(cell / C)][cell % C];
      cells.sort((a, b) => cmpHex(ticketOf(a), ticketOf(b)));
      const M = cells.length;
      cells.forEach((cell, i) => {
        key[cell] = tier[Math.floor(cell / C)] * M + i;
      });
    }
    return {
      n,
      K,
      C,
      U,
      kgs,
      weight,
      tier,
      choiceKg,
      width,
      elig,
      unitFacts,
      unitMembers,
      unitGroup,
      unitTicket,
      unitChoiceTickets,
      unitOrder,
      rowUnit,
      rowChoices,
      rowWidth,
      key
    };
  }
  function cmpHex(a, b) {
    return a < b ? -1 : a > b ? 1 : 0;
  }
  function choose(P2, k, cells, seats, offered, overPlan) {
    const kg = P2.kgs[k];
    const nb = kg.blocks.length;
    const m = cells.length;
    const column = new Int32Array(m).fill(NONE);
    const over = new Uint8Array(m);
    const left = Int32Array.from(seats);
    const unusedCols = [];
    const unusedSeats = [];
    let unusedTotal = 0;
    for (let col = 0; col <= nb; col++) {
      if (offered !== null && !offered[col]) continue;
      const isOpen = col === nb;
      const own = seats[col];
      const available = own + unusedTotal;
      let used = 0;
      for (let i = 0; i < m; i++) {
        const room = available - used;
        if (room <= 0) break;
        if (column[i] !== NONE) continue;
        const cell = cells[i];
        if (!isOpen && !(P2.elig[cell] >>> col & 1)) continue;
        const w = P2.weight[Math.floor(cell / P2.C)];
        if (overPlan && isOpen) {
          column[i] = col;
          over[i] = w > room ? 1 : 0;
          used += w;
        } else if (w <= room) {
          column[i] = col;
          used += w;
        }
      }
      const ownUsed = Math.min(used, own);
      let borrowed = used - ownUsed;
      for (let j = 0; j < unusedCols.length && borrowed > 0; j++) {
        const take = Math.min(unusedSeats[j], borrowed);
        unusedSeats[j] -= take;
        unusedTotal -= take;
        borrowed -= take;
      }
      unusedCols.push(col);
      unusedSeats.push(own - ownUsed);
      unusedTotal += own - ownUsed;
    }
    for (let j = 0; j < unusedCols.length; j++) left[unusedCols[j]] = unusedSeats[j];
    return { column, over, left };
  }
  function byKey(P2) {
    const key = P2.key;
    return (a, b) => key[a] - key[b];
  }
  function independent(P2, allowed, pools, offered, overPlan, phase, state) {
    const buckets = Array.from({ length: P2.K }, () => []);
    for (let u = 0; u < P2.U; u++) {
      for (let c = 0; c < P2.width[u]; c++) {
        const cell = u * P2.C + c;
        if (allowed[cell]) buckets[P2.choiceKg[cell]].push(cell);
      }
    }
    const order = byKey(P2);
    for (let k = 0; k < P2.K; k++) {
      const cells = buckets[k];
      if (!cells.length) continue;
      cells.sort(order);
      const result = choose(P2, k, cells, pools[k], offered && offered[k], overPlan);
      pools[k] = result.left;
      for (let i = 0; i < cells.length; i++) {
        if (result.column[i] === NONE) continue;
        const u = Math.floor(cells[i] / P2.C);
        (state.wins[u] ??= []).push({ kg: k, pos: cells[i] % P2.C, column: result.column[i], phase, over: result.over[i] });
        state.won[u] = 1;
      }
    }
  }
  function place(state, u, k, pos, column, over, phase) {
    state.placedKg[u] = k;
    state.placedPos[u] = pos;
    state.placedColumn[u] = column;
    state.placedOver[u] = over;
    state.placedPhase[u] = phase;
  }
  function firstChoiceFirst(P2, allowed, pools, offered, overPlan, phase, state) {
    const order = byKey(P2);
    for (let c = 0; c < P2.C; c++) {
      const buckets = /* @__PURE__ */ new Map();
      for (let u = 0; u < P2.U; u++) {
        const cell = u * P2.C + c;
        if (!allowed[cell] || state.placedKg[u] !== NONE) continue;
        const k = P2.choiceKg[cell];
        if (!buckets.has(k)) buckets.set(k, []);
        buckets.get(k).push(cell);
      }
      for (const [k, cells] of buckets) {
        cells.sort(order);
        const result = choose(P2, k, cells, pools[k], offered && offered[k], overPlan);
        pools[k] = result.left;
        for (let i = 0; i < cells.length; i++) {
          if (result.column[i] !== NONE) place(state, Math.floor(cells[i] / P2.C), k, c, result.column[i], result.over[i], phase);
        }
      }
    }
  }
  function deferredAcceptance(P2, allowed, pools, offered, overPlan, phase, state) {
    const { U, C } = P2;
    const next = new Int32Array(U);
    const nextAllowed = (u, from) => {
      for (let c = from; c < P2.width[u]; c++) if (allowed[u * C + c]) return c;
      return C;
    };
    for (let u = 0; u < U; u++) next[u] = nextAllowed(u, 0);
    const held = new Uint8Array(U);
    const heldAt = Array.from({ length: P2.K }, () => []);
    const heldColumn = new Int32Array(U);
    const heldOver = new Uint8Array(U);
    const full = pools.map((p) => Int32Array.from(p));
    const order = byKey(P2);
    for (; ; ) {
      const proposals = /* @__PURE__ */ new Map();
      for (let u = 0; u < U; u++) {
        if (held[u] || next[u] >= C) continue;
        const cell = u * C + next[u];
        next[u] = nextAllowed(u, next[u] + 1);
        const k = P2.choiceKg[cell];
        if (!proposals.has(k)) proposals.set(k, []);
        proposals.get(k).push(cell);
      }
      if (proposals.size === 0) break;
      for (const [k, fresh] of proposals) {
        fresh.sort(order);
        const cells = mergeSorted(heldAt[k], fresh, P2.key);
        const result = choose(P2, k, cells, full[k], offered && offered[k], overPlan);
        pools[k] = result.left;
        const kept = [];
        for (let i = 0; i < cells.length; i++) {
          const u = Math.floor(cells[i] / C);
          if (result.column[i] === NONE) {
            held[u] = 0;
          } else {
            held[u] = 1;
            heldColumn[u] = result.column[i];
            heldOver[u] = result.over[i];
            kept.push(cells[i]);
          }
        }
        heldAt[k] = kept;
      }
    }
    for (let k = 0; k < P2.K; k++) {
      for (const cell of heldAt[k]) {
        const u = Math.floor(cell / C);
        place(state, u, k, cell % C, heldColumn[u], heldOver[u], phase);
      }
    }
  }
  function mergeSorted(a, b, key) {
    const out = new Array(a.length + b.length);
    let i = 0;
    let j = 0;
    let o = 0;
    while (i < a.length && j < b.length) out[o++] = key[a[i]] <= key[b[j]] ? a[i++] : b[j++];
    while (i < a.length) out[o++] = a[i++];
    while (j < b.length) out[o++] = b[j++];
    return out;
  }
  function run(rules, P2) {
    const { U, C } = P2;
    const state = {
      placedKg: new Int32Array(U).fill(NONE),
      placedPos: new Int32Array(U).fill(NONE),
      placedColumn: new Int32Array(U).fill(NONE),
      placedOver: new Uint8Array(U),
      placedPhase: new Int32Array(U).fill(NONE),
      wins: new Array(U),
      won: new Uint8Array(U),
      considered: new Uint8Array(U * C)
    };
    let pools = P2.kgs.map((kg) => Int32Array.from([...kg.blocks.map((b) => b.seats), kg.seats - kg.reserved]));
    const overPlan = rules.multiples === Multiples.BUNDLE_OVER_PLAN;
    const tierRank = new Map(rules.tiers.map((t, i) => [t, i]));
    const phases = rules.phases.length ? rules.phases : [null];
    const mechanism = {
      [Mechanism.INDEPENDENT]: independent,
      [Mechanism.FIRST_CHOICE_FIRST]: firstChoiceFirst,
      [Mechanism.DEFERRED_ACCEPTANCE]: deferredAcceptance
    }[rules.mechanism];
    phases.forEach((phase, p) => {
      const allowed = new Uint8Array(U * C);
      const tiers = phase && phase.tiers !== null ? new Set(phase.tiers.map((t) => tierRank.get(t))) : null;
      for (let u = 0; u < U; u++) {
        if (state.placedKg[u] !== NONE || state.won[u]) continue;
        if (tiers !== null && !tiers.has(P2.tier[u])) continue;
        const limit = phase && phase.choices !== null ? Math.min(phase.choices, P2.width[u]) : P2.width[u];
        for (let c = 0; c < limit; c++) {
          const cell = u * C + c;
          if (phase && phase.fact !== null) {
            const facts = P2.unitFacts[u];
            if (facts === null || !facts.has(phase.fact + "\0" + P2.choiceKg[cell])) continue;
          }
          allowed[cell] = 1;
          state.considered[cell] = 1;
        }
      }
      let offered = null;
      let phasePools = pools;
      if (phase && phase.blocks !== null) {
        const names = new Set(phase.blocks);
        offered = P2.kgs.map((kg) => [...kg.blocks.map((b) => names.has(b.name)), false]);
        phasePools = pools.map((seats, k) => seats.map((s, col) => offered[k][col] ? s : 0));
      } else {
        phasePools = pools.map((seats) => Int32Array.from(seats));
      }
      mechanism(P2, allowed, phasePools, offered, overPlan, phase ? p : NONE, state);
      pools = pools.map((seats, k) => seats.map((s, col) => offered === null || offered[k][col] ? phasePools[k][col] : s));
    });
    return state;
  }
  function draw(rules, records, seed) {
    const P2 = prepare(rules, records, seed);
    const state = run(rules, P2);
    const { n, C, K, kgs } = P2;
    const isIndependent = rules.mechanism === Mechanism.INDEPENDENT;
    const placed = new Int32Array(n).fill(NONE);
    const pos = new Int32Array(n).fill(NONE);
    const column = new Int32Array(n).fill(NONE);
    const phase = new Int32Array(n).fill(NONE);
    const over = new Uint8Array(n);
    const moved = new Int32Array(n).fill(NONE);
    for (let i = 0; i < n; i++) {
      const u = P2.rowUnit[i];
      placed[i] = state.placedKg[u];
      pos[i] = state.placedPos[u];
      column[i] = state.placedColumn[u];
      phase[i] = state.placedPhase[u];
      over[i] = state.placedOver[u];
      if (isIndependent && state.wins[u]) over[i] = state.wins[u].some((w) => w.over) ? 1 : 0;
    }
    if (rules.multiples === Multiples.MERGE_AFTER) {
      const count = new Int32Array(K);
      for (let i = 0; i < n; i++) if (placed[i] !== NONE) count[placed[i]]++;
      const groups = /* @__PURE__ */ new Map();
      records.forEach((r, i) => {
        if (r.group !== null) {
          if (!groups.has(r.group)) groups.set(r.group, []);
          groups.get(r.group).push(i);
        }
      });
      for (const g of [...groups.keys()].sort(compareCodePoints)) {
        const rows = groups.get(g).filter((i) => placed[i] !== NONE);
        if (rows.length < 2) continue;
        let best = rows[0];
        for (const i of rows) if (pos[i] < pos[best]) best = i;
        const target = placed[best];
        for (const i of rows) {
          if (placed[i] === target) continue;
          if (!rules.merge_over_capacity && count[target] >= kgs[target].seats) continue;
          count[placed[i]]--;
          count[target]++;
          moved[i] = placed[i];
          placed[i] = target;
          pos[i] = pos[best];
          column[i] = MOVED;
          over[i] = count[target] > kgs[target].seats ? 1 : 0;
        }
      }
    }
    const wins = new Array(n);
    for (let i = 0; i < n; i++) {
      if (isIndependent) {
        const unitWins = state.wins[P2.rowUnit[i]];
        wins[i] = unitWins ? [...unitWins].sort((a, b) => a.pos - b.pos) : [];
      } else {
        wins[i] = placed[i] === NONE ? [] : [{ kg: placed[i], column: column[i], phase: phase[i] }];
      }
    }
    const openColumn = (k, col) => col === MOVED ? kgs[k].blocks.length : col;
    const waitlist = Array.from({ length: K }, () => []);
    if (rules.waitlist_length > 0) {
      const waiting = Array.from({ length: K }, () => []);
      for (let u = 0; u < P2.U; u++) {
        const head = P2.unitMembers[u][0];
        for (let c = 0; c < P2.width[u]; c++) {
          const cell = u * C + c;
          if (!state.considered[cell]) continue;
          const k = P2.choiceKg[cell];
          if (isIndependent) {
            if ((state.wins[u] ?? []).some((w) => w.kg === k)) continue;
          } else if (placed[head] !== NONE && (placed[head] === k || pos[head] < c)) {
            continue;
          }
          waiting[k].push(cell);
        }
      }
      const order = byKey(P2);
      for (let k = 0; k < K; k++) {
        const cells = waiting[k].sort(order).slice(0, rules.waitlist_length);
        cells.forEach((cell, i) => {
          for (const row of P2.unitMembers[Math.floor(cell / C)]) waitlist[k].push([row, i + 1]);
        });
      }
    }
    const rowWaitlist = new Array(n);
    for (let k = 0; k < K; k++) {
      for (const [row, position] of waitlist[k]) (rowWaitlist[row] ??= []).push({ kindergarten: kgs[k].id, position });
    }
    const taken = kgs.map((kg) => new Int32Array(kg.blocks.length + 1));
    for (let i = 0; i < n; i++) for (const w of wins[i]) taken[w.kg][openColumn(w.kg, w.column)]++;
    const applicants = new Int32Array(K);
    const firstChoice = new Int32Array(K);
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < P2.rowWidth[i]; c++) applicants[P2.rowChoices[i * C + c]]++;
      firstChoice[P2.rowChoices[i * C]]++;
    }
    const summaries = kgs.map((kg, k) => {
      const total = taken[k].reduce((a, b) => a + b, 0);
      return {
        id: kg.id,
        name: kg.name,
        seats: kg.seats,
        applicants: applicants[k],
        first_choice: firstChoice[k],
        placed: total,
        left_over: Math.max(kg.seats - total, 0),
        over_capacity: Math.max(total - kg.seats, 0),
        blocks: [
          ...kg.blocks.map((b, j) => ({ name: b.name, seats: b.seats, placed: taken[k][j] })),
          { name: OPEN_BLOCK, seats: kg.seats - kg.reserved, placed: taken[k][kg.blocks.length] }
        ],
        waitlist: waitlist[k].length
      };
    });
    const blockName = (k, col) => {
      const c = openColumn(k, col);
      return c < kgs[k].blocks.length ? kgs[k].blocks[c].name : OPEN_BLOCK;
    };
    const phaseName = (p) => p >= 0 && rules.phases.length ? rules.phases[p].name : null;
    const results = [];
    let unplaced = 0;
    for (const u of P2.unitOrder) {
      for (const i of P2.unitMembers[u]) {
        const here = !isIndependent && placed[i] !== NONE;
        if (placed[i] === NONE && wins[i].length === 0) unplaced++;
        results.push({
          block: here ? blockName(placed[i], column[i]) : null,
          choice_tickets: P2.unitChoiceTickets ? [...P2.unitChoiceTickets[u]] : [],
          moved_from: moved[i] === NONE ? null : kgs[moved[i]].id,
          over_capacity: over[i] === 1,
          phase: here ? phaseName(phase[i]) : null,
          placed: here ? kgs[placed[i]].id : null,
          registration_number: records[i].registration_number,
          ticket: P2.unitTicket[u],
          waitlist: rowWaitlist[i] ?? [],
          wins: wins[i].map((w) => ({ block: blockName(w.kg, w.column), kindergarten: kgs[w.kg].id, phase: phaseName(w.phase) }))
        });
      }
    }
    return { results, summaries, unplaced };
  }

  // src/rerun.js
  function rerunDraw({ rules, records, seed }) {
    const parsedRules = parseRules(rules);
    const seedBytes = typeof seed === "string" ? fromHex(seed, { field: "seed", length: 32 }) : seed;
    const parsed = parseRecords(records);
    const outcome = draw(parsedRules, parsed.records, seedBytes);
    const lines = outcome.results.map(resultLine);
    return {
      rulesDigest: toHex(rulesDigest(parsedRules)),
      inputRoot: toHex(recordsRoot(parsedRules.draw_id, parsed.lines)),
      count: lines.length,
      lines,
      resultsRoot: toHex(resultsRoot(parsedRules.draw_id, lines)),
      summaries: outcome.summaries,
      unplaced: outcome.unplaced,
      results: outcome.results
    };
  }
  function compareWithTranscript(rerun, signed) {
    const problems = [];
    if (signed.results?.root !== rerun.resultsRoot) problems.push("The results root differs from the re-run.");
    if (signed.results?.count !== rerun.count) problems.push("The results count differs from the re-run.");
    if (canonicalJson(signed.kindergartens ?? null) !== canonicalJson(rerun.summaries)) {
      problems.push("The per-kindergarten summaries differ from the re-run.");
    }
    if (signed.unplaced !== rerun.unplaced) problems.push("The number unplaced differs from the re-run.");
    return problems;
  }
  var DRAW_STAGES = Object.freeze(["rules", "records", "seed", "draw", "compare"]);
  async function checkDraw({ rules, records, announcement, transcript }, { onStage } = {}) {
    const stages = [];
    const state = {};
    const a = announcement.signed;
    const t = transcript.signed;
    let index = 0;
    const stage = async (id, body) => {
      if (onStage) await onStage(id, index);
      index++;
      if (stages.some((s) => s.status !== "pass")) {
        stages.push({ id, status: "skipped", detail: "not checked: an earlier stage failed" });
        return;
      }
      try {
        stages.push({ id, status: "pass", detail: body() });
      } catch (error) {
        stages.push({ id, status: "fail", detail: error.message ?? String(error) });
      }
    };
    const fail = (text) => {
      throw new VerificationError(text);
    };
    await stage("rules", () => {
      state.rules = parseRules(rules);
      if (toHex(rulesDigest(state.rules)) !== a.rules_digest) fail("The rules digest differs from the announced one: these are not the announced rules.");
      if (state.rules.draw_id !== a.draw_id) fail(`The rules are for draw '${state.rules.draw_id}', the announcement for '${a.draw_id}'.`);
      return `rules digest ${a.rules_digest.slice(0, 16)}… as announced`;
    });
    await stage("records", () => {
      state.parsed = parseRecords(records);
      const root = toHex(recordsRoot(a.draw_id, state.parsed.lines));
      if (state.parsed.lines.length !== a.records.count) fail(`The records file has ${state.parsed.lines.length} records, the announcement ${a.records.count}.`);
      if (root !== a.records.root) fail("The records file does not give the announced input root.");
      return `${state.parsed.lines.length} records under the announced input root`;
    });
    await stage("seed", () => {
      const { seed, problems } = replaySeed(t.ceremony, t.draw_id);
      if (t.ceremony.announcement !== t.announcement) problems.unshift("the ceremony was opened on another announcement");
      if (problems.length) fail(`The ceremony record does not replay: ${problems[0]}.`);
      return `seed ${seed.slice(0, 16)}… from the reveals and source values`;
    });
    await stage("draw", () => {
      state.outcome = draw(state.rules, state.parsed.records, fromHex(t.seed, { field: "seed", length: 32 }));
      state.lines = state.outcome.results.map(resultLine);
      return `${state.lines.length} children drawn`;
    });
    await stage("compare", () => {
      const rerun = {
        resultsRoot: toHex(resultsRoot(t.draw_id, state.lines)),
        count: state.lines.length,
        summaries: state.outcome.summaries,
        unplaced: state.outcome.unplaced
      };
      const problems = compareWithTranscript(rerun, t);
      if (problems.length) fail(problems.join(" "));
      return `results root ${rerun.resultsRoot.slice(0, 16)}… equals the transcript's`;
    });
    return { ok: stages.every((s) => s.status === "pass"), stages, count: state.lines?.length ?? null };
  }

  // src/envelope.js
  var REQUIRED_ROLES = Object.freeze(["bureau", "notary"]);
  var KEY_ID_RE = /^[0-9a-f]{64}$/;
  var FINGERPRINT_RE = /^[0-9]{5}(?: [0-9]{5}){7}$/;
  function keyId(publicKey) {
    return toHex(sha2562(publicKey));
  }
  function fingerprint(keyid) {
    if (typeof keyid !== "string" || !KEY_ID_RE.test(keyid)) {
      throw new InputError("Not a key id (64 lower-case hex digits).", { field: "keyid", value: keyid });
    }
    const groups = [];
    for (let i = 0; i < 32; i += 4) groups.push(String(parseInt(keyid.slice(i, i + 4), 16)).padStart(5, "0"));
    return groups.join(" ");
  }
  function parsePin(text) {
    if (typeof text === "string" && FINGERPRINT_RE.test(text) && text.split(" ").every((g) => Number(g) <= 65535)) {
      return text;
    }
    if (typeof text === "string" && KEY_ID_RE.test(text)) return fingerprint(text);
    throw new TrustError("Not a key fingerprint or key id.", {
      field: "pin",
      value: text,
      hint: "Give eight groups of five digits separated by single spaces, or the 64-digit key id."
    });
  }
  function parseEnvelope(file, { expectedType, document } = {}) {
    const name = document ?? expectedType ?? "signed document";
    const parsed = parseJson(file, { document: name });
    const fields = Fields.of(parsed, { document: name });
    const signed = fields.object("signed").data;
    const signatures = fields.each("signatures", (item) => {
      const keyid = item.string("keyid");
      if (!KEY_ID_RE.test(keyid)) throw item.error("keyid", "expected 64 lower-case hexadecimal digits", keyid);
      return { keyid, sig: fromHex(item.hex("sig", 64)) };
    });
    fields.done();
    const ids = signatures.map((s) => s.keyid);
    if (new Set(ids).size !== ids.length) {
      throw new MalformedDocumentError("A key signed twice; a key counts once, so a repeated signature can only be tampering.", {
        source: name,
        field: "signatures"
      });
    }
    if (ids.some((id, i) => i > 0 && ids[i - 1] > id)) {
      throw new MalformedDocumentError("The signatures are not sorted by key id.", {
        source: name,
        field: "signatures",
        hint: "alloc writes them sorted; the file was edited."
      });
    }
    const text = typeof file === "string" ? file : new TextDecoder().decode(file);
    let canonical;
    try {
      canonical = canonicalJson(parsed) + "\n";
    } catch (error) {
      throw new MalformedDocumentError(`The signed part is not canonical-JSON safe (${error.problem}).`, { source: name });
    }
    if (canonical !== text) {
      throw new MalformedDocumentError("The file is not in canonical form (RFC 8785 plus one line break).", {
        source: name,
        hint: "The file was edited or re-encoded after signing."
      });
    }
    if (expectedType !== void 0 && signed.type !== expectedType) {
      throw new MalformedDocumentError(`The document is not a ${expectedType}.`, {
        source: name,
        field: "signed.type",
        value: signed.type
      });
    }
    return { signed, signatures };
  }
  function parseTrust(data, { document = "trust policy" } = {}) {
    const value = data instanceof Uint8Array || typeof data === "string" ? parseJson(data, { document }) : data;
    const fields = Fields.of(value, { document });
    const spec = fields.value("spec");
    if (spec !== SPEC_VERSION) {
      throw fields.error("spec", `written for spec version ${JSON.stringify(spec)}; this reads spec ${SPEC_VERSION}`, spec);
    }
    const roles = fields.each("roles", (item) => {
      const name = item.string("name");
      try {
        checkIdentifier(name, "role.name");
      } catch (error) {
        throw item.error("name", error.problem, name);
      }
      const keys = item.each("keys", (entry) => {
        const raw = fromHex(entry.hex("public", 32));
        const id = keyId(raw);
        if (entry.string("keyid") !== id) throw entry.error("keyid", "does not match the public key", entry.data.keyid);
        if (entry.string("fingerprint") !== fingerprint(id)) {
          throw entry.error("fingerprint", "does not match the public key", entry.data.fingerprint);
        }
        return { keyid: id, fingerprint: fingerprint(id), public: raw };
      });
      const threshold = item.integer("threshold", { minimum: 1, maximum: Math.max(keys.length, 1) });
      if (keys.length === 0) throw item.error("keys", "a role needs at least one key");
      if (new Set(keys.map((k) => k.keyid)).size !== keys.length) {
        throw item.error("keys", "a key is listed twice; a key counts once");
      }
      return { name, threshold, keys };
    });
    fields.done();
    const names = roles.map((r) => r.name);
    for (const required of REQUIRED_ROLES) {
      if (!names.includes(required)) {
        throw new TrustError(`A trust policy needs a '${required}' role.`, { source: document, field: "roles", value: names });
      }
    }
    if (new Set(names).size !== names.length) throw new TrustError("A role is named twice.", { source: document, field: "roles" });
    const owner = /* @__PURE__ */ new Map();
    for (const role of roles) {
      for (const key of role.keys) {
        const other = owner.get(key.fingerprint) ?? role.name;
        if (other !== role.name) {
          throw new TrustError(
            `The key with fingerprint ${key.fingerprint} is in both roles '${other}' and '${role.name}': one key would count as two independent signers.`,
            { source: document, field: `role '${role.name}'.keys` }
          );
        }
        owner.set(key.fingerprint, role.name);
      }
    }
    return { roles };
  }
  function evaluatePolicy(envelope, policy) {
    let message;
    try {
      message = canonicalBytes(envelope.signed);
    } catch {
      message = null;
    }
    const trusted = /* @__PURE__ */ new Set();
    const roles = policy.roles.map((role) => {
      const keys = new Map(role.keys.map((k) => [k.keyid, k.public instanceof Uint8Array ? k.public : fromHex(k.public, { length: 32 })]));
      for (const id of keys.keys()) trusted.add(id);
      const signers = /* @__PURE__ */ new Set();
      const invalid = /* @__PURE__ */ new Set();
      for (const s of envelope.signatures) {
        const pub = keys.get(s.keyid);
        if (pub === void 0) continue;
        if (message !== null && ed25519Verify(pub, message, s.sig)) signers.add(s.keyid);
        else invalid.add(s.keyid);
      }
      const threshold = role.threshold ?? 1;
      return {
        role: role.name,
        threshold,
        keys: keys.size,
        signers: [...signers].sort(),
        invalid: [...invalid].sort(),
        valid: signers.size,
        ok: signers.size >= threshold && invalid.size === 0
      };
    });
    const untrusted = envelope.signatures.map((s) => s.keyid).filter((id) => !trusted.has(id));
    return { roles, untrusted, ok: roles.every((r) => r.ok) };
  }
  function documentDigest(envelope) {
    const tag = { announcement: Tag.ANNOUNCEMENT, transcript: Tag.TRANSCRIPT }[envelope.signed.type];
    if (tag === void 0 || typeof envelope.signed.draw_id !== "string") {
      throw new InputError("The document has no known type or draw id.", { field: "signed.type" });
    }
    return taggedHash(tag, envelope.signed.draw_id, canonicalBytes(envelope.signed));
  }

  // src/documents.js
  var TIME_RE = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)([+-])(\d\d):(\d\d)$/;
  function parseTime(text) {
    const m = typeof text === "string" ? TIME_RE.exec(text) : null;
    if (!m) return null;
    const [year, month, day, hour, minute, second, oh, om] = [1, 2, 3, 4, 5, 6, 8, 9].map((i) => Number(m[i]));
    const date = new Date(Date.UTC(2e3, month - 1, day, hour, minute, second));
    date.setUTCFullYear(year);
    const real = year >= 1 && date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day && hour < 24 && minute < 60 && second < 60 && oh < 24 && om < 60;
    if (!real) return null;
    return date.getTime() - (m[7] === "-" ? -1 : 1) * (oh * 60 + om) * 6e4;
  }
  function time(fields, key) {
    const text = fields.string(key);
    if (parseTime(text) === null) throw fields.error(key, "not a time in the form YYYY-MM-DDTHH:MM:SS+08:00", text);
    return text;
  }
  function identifier2(fields, key) {
    const value = fields.string(key);
    try {
      return checkIdentifier(value, key);
    } catch (error) {
      throw fields.error(key, error.problem, value);
    }
  }
  function sortedNames(fields, key, names, by) {
    for (let i = 1; i < names.length; i++) {
      if (compareCodePoints(names[i - 1], names[i]) >= 0) throw fields.error(key, `not sorted by ${by}, each once`);
    }
  }
  function readSource(f) {
    const source = { name: identifier2(f, "name"), kind: f.string("kind"), description: f.string("description") };
    const count = () => f.integer("count", { minimum: 1, maximum: MAX_SOURCE_COUNT });
    if (source.kind === "digits") {
      Object.assign(source, { count: count(), drawn_at: time(f, "drawn_at") });
    } else if (source.kind === "numbers") {
      Object.assign(source, {
        count: count(),
        min: f.integer("min", { minimum: 0, maximum: MAX_SOURCE_NUMBER }),
        max: f.integer("max", { minimum: 0, maximum: MAX_SOURCE_NUMBER }),
        ordered: f.boolean("ordered"),
        distinct: f.boolean("distinct"),
        drawn_at: time(f, "drawn_at")
      });
      if (source.min >= source.max) throw f.error("max", "must be above min", source.max);
      if (source.distinct && source.count > source.max - source.min + 1) throw f.error("count", "that many distinct numbers do not fit", source.count);
    } else if (source.kind === "drand") {
      const chain = f.object("chain");
      const name = chain.string("name");
      const known = DRAND_CHAINS[name];
      if (known === void 0 || !Object.prototype.hasOwnProperty.call(DRAND_CHAINS, name)) {
        throw chain.error("name", "not a drand chain alloc knows (quicknet or default)", name);
      }
      for (const key of ["hash", "public_key", "scheme"]) {
        if (chain.string(key) !== known[key]) throw chain.error(key, `not drand ${name}'s published ${key}`, chain.data[key]);
      }
      for (const key of ["genesis_time", "period"]) {
        if (chain.integer(key) !== known[key]) throw chain.error(key, `not drand ${name}'s published ${key}`, chain.data[key]);
      }
      chain.done();
      Object.assign(source, { chain: known, round: f.integer("round", { minimum: 1 }) });
    } else {
      throw f.error("kind", "unknown source kind (digits, numbers or drand)", source.kind);
    }
    return source;
  }
  function readPlan(f) {
    const plan = {
      draw_id: identifier2(f, "draw_id"),
      parties: f.each("parties", (p) => ({ name: identifier2(p, "name"), commitment: p.hex("commitment", 32), fallback: identifier2(p, "fallback") })),
      sources: f.each("sources", readSource),
      fallbacks: f.each("fallbacks", readSource)
    };
    sortedNames(f, "parties", plan.parties.map((p) => p.name), "party name");
    sortedNames(f, "sources", plan.sources.map((s) => s.name), "source name");
    sortedNames(f, "fallbacks", plan.fallbacks.map((s) => s.name), "source name");
    const names = [...plan.sources, ...plan.fallbacks].map((s) => s.name);
    if (new Set(names).size !== names.length) throw f.error("fallbacks", "a source name appears twice");
    const fallbacks = new Set(plan.fallbacks.map((s) => s.name));
    for (const p of plan.parties) {
      if (!fallbacks.has(p.fallback)) throw f.error("parties", `party '${p.name}' names an undeclared fallback`, p.fallback);
    }
    if (plan.sources.length === 0) throw f.error("sources", "a seed plan needs at least one source that is always read");
    return plan;
  }
  function readCeremony(f) {
    const ceremony = {
      plan: readPlan(f.object("plan")),
      announcement: f.hex("announcement", 32),
      opened_at: time(f, "opened_at"),
      contributions: f.each("contributions", (c) => {
        const item = { party: c.string("party") };
        if (c.has("reveal")) item.reveal = c.hex("reveal", 32);
        else item.fallback = c.string("fallback");
        item.at = time(c, "at");
        return item;
      }),
      sources: f.each("sources", (s) => ({ name: s.string("name"), kind: s.string("kind"), value: s.string("value"), at: time(s, "at") })),
      seed: f.hex("seed", 32)
    };
    sortedNames(f, "contributions", ceremony.contributions.map((c) => c.party), "party");
    sortedNames(f, "sources", ceremony.sources.map((s) => s.name), "source name");
    return ceremony;
  }
  function signedFields(envelope, kind) {
    const fields = Fields.of(envelope.signed, { document: kind, path: "$.signed" });
    const found = fields.value("type");
    if (found !== kind) throw fields.error("type", `not a ${kind}`, found);
    const spec = fields.value("spec");
    if (spec !== SPEC_VERSION) {
      throw fields.error("spec", `written for spec version ${JSON.stringify(spec)}; this reads spec ${SPEC_VERSION}`, spec);
    }
    return fields;
  }
  function commitmentOf(fields, key) {
    const part = fields.object(key);
    const out = { root: part.hex("root", 32), count: part.integer("count", { minimum: 0 }) };
    part.done();
    return out;
  }
  function readAnnouncement(envelope) {
    const f = signedFields(envelope, "announcement");
    identifier2(f, "draw_id");
    f.string("title");
    f.string("authority");
    f.hex("rules_digest", 32);
    commitmentOf(f, "records");
    const plan = readPlan(f.object("seed_plan"));
    const window = f.object("window");
    const times = ["frozen_at", "reveal_deadline", "draw_at"].map((k) => parseTime(time(window, k)));
    window.done();
    if (!(times[0] < times[1] && times[1] < times[2])) {
      throw f.error("window", "the times must satisfy frozen_at < reveal_deadline < draw_at");
    }
    f.boolean("rehearsal");
    f.string("software");
    f.done();
    if (plan.draw_id !== f.data.draw_id) throw f.error("seed_plan", "the seed plan is for another draw", plan.draw_id);
    return f.data;
  }
  function readSummary(item) {
    item.string("id");
    item.string("name");
    for (const key of ["seats", "applicants", "first_choice", "placed", "left_over", "over_capacity"]) item.integer(key, { minimum: 0 });
    item.each("blocks", (b) => {
      b.string("name");
      b.integer("seats", { minimum: 0 });
      b.integer("placed", { minimum: 0 });
    });
    item.integer("waitlist", { minimum: 0 });
  }
  function readTranscript(envelope) {
    const f = signedFields(envelope, "transcript");
    identifier2(f, "draw_id");
    f.hex("announcement", 32);
    f.hex("rules_digest", 32);
    commitmentOf(f, "records");
    const ceremony = readCeremony(f.object("ceremony"));
    const seed = f.hex("seed", 32);
    if (seed !== ceremony.seed) throw f.error("seed", "differs from its ceremony record's seed", seed);
    commitmentOf(f, "results");
    f.each("kindergartens", readSummary);
    f.integer("unplaced", { minimum: 0 });
    time(f, "created");
    const round = f.integer("round", { minimum: 1 });
    const previous = f.optionalHex("previous", 32);
    if (round !== 1 || previous !== null) {
      throw f.error(
        round !== 1 ? "round" : "previous",
        "a transcript is round 1's, with no previous round (null); a later round is a round transcript of its own (spec 11.7)",
        round !== 1 ? round : previous
      );
    }
    f.boolean("rehearsal");
    if (f.value("log") !== null) {
      const log = f.object("log");
      log.integer("count", { minimum: 0 });
      log.hex("head", 32);
      log.done();
    }
    f.string("software");
    f.done();
    return f.data;
  }

  // src/lookup.js
  var LOOKUP_INDEX_FILE = "index.json";
  var MAX_SHARD_DIGITS = 4;
  var NONCE = new Uint8Array(12);
  function lookupEntryIkm({ drawId, registrationNumber, documentType: documentType2, documentNumber, name, salt }) {
    if (documentType2 !== DocumentType.RESIDENT_ID && documentType2 !== DocumentType.PASSPORT) {
      throw new InputError("The document type is unknown.", { field: "document_type", value: documentType2 });
    }
    if (!(salt instanceof Uint8Array) || salt.length !== SALT_SIZE) {
      throw new InputError(`A salt must be exactly ${SALT_SIZE} bytes.`, { field: "salt" });
    }
    return taggedMessage(
      Tag.LOOKUP_ENTRY,
      checkIdentifier(drawId, "draw_id"),
      checkIdentifier(registrationNumber, "registration_number"),
      documentType2,
      normaliseDocumentNumber(documentType2, documentNumber),
      normaliseName(name),
      salt
    );
  }
  function lookupEntryKeys({ transcriptDigest, ...fields }) {
    if (!(transcriptDigest instanceof Uint8Array) || transcriptDigest.length !== 32) {
      throw new InputError("The transcript digest must be 32 bytes.", { field: "transcript" });
    }
    const ikm = lookupEntryIkm(fields);
    return {
      ikm,
      entryId: toHex(hkdfSha256(ikm, transcriptDigest, utf8(Tag.LOOKUP_ENTRY_ID), 16)),
      key: hkdfSha256(ikm, transcriptDigest, utf8(Tag.LOOKUP_ENTRY_KEY), 32)
    };
  }
  function sealLookupEntry(keys, plaintext) {
    return toHex(aesGcmSeal(keys.key, NONCE, typeof plaintext === "string" ? utf8(plaintext) : plaintext, utf8(keys.entryId)));
  }
  function readHead(fields, type) {
    if (fields.string("type") !== type) throw fields.error("type", `expected '${type}'`, fields.data.type);
    const spec = fields.value("spec");
    if (spec !== SPEC_VERSION) throw fields.error("spec", `written for spec version ${JSON.stringify(spec)}; this reads spec ${SPEC_VERSION}`, spec);
    return { drawId: fields.string("draw_id"), transcript: fields.hex("transcript", 32) };
  }
  function parseLookupHeader(data) {
    const document = "lookup index";
    const fields = Fields.of(parseJson(data, { document }), { document });
    const head = readHead(fields, "lookup-index");
    const header = {
      ...head,
      count: fields.integer("count", { minimum: 0 }),
      digits: fields.integer("shard_digits", { minimum: 1, maximum: MAX_SHARD_DIGITS })
    };
    fields.done();
    return header;
  }
  function parseLookupShard(data, header, prefix) {
    const document = `lookup index shard ${prefix}.json`;
    const fields = Fields.of(parseJson(data, { document }), { document });
    const head = readHead(fields, "lookup-shard");
    if (head.drawId !== header.drawId) throw fields.error("draw_id", "the shard is for another draw than its index");
    if (head.transcript !== header.transcript) throw fields.error("transcript", "the shard is for another transcript than its index");
    if (fields.string("prefix") !== prefix) throw fields.error("prefix", `expected '${prefix}'`, fields.data.prefix);
    const entries = fields.object("entries");
    const out = /* @__PURE__ */ new Map();
    for (const id of Object.keys(entries.data)) {
      const sealed = entries.string(id);
      if (!/^[0-9a-f]{32}$/.test(id) || !id.startsWith(prefix)) throw entries.error(id, "not an entry id of this shard");
      if (sealed.length % 2 || !/^[0-9a-f]*$/.test(sealed)) throw entries.error(id, "expected lower-case hexadecimal");
      out.set(id, sealed);
    }
    entries.done();
    fields.done();
    return out;
  }
  function openLookupEntry(sealed, keys) {
    const plain = aesGcmOpen(keys.key, NONCE, fromHex(sealed, { field: "entry" }), utf8(keys.entryId));
    if (plain === null) {
      throw new MalformedDocumentError(
        "This child's entry in the lookup index does not decrypt: the index file is damaged or was altered.",
        { source: "lookup index", hint: "Download the index again; check the result against the signed files." }
      );
    }
    const document = "lookup index entry";
    const fields = Fields.of(parseJson(fromUtf8(plain), { document }), { document });
    const answer = {
      registration_number: fields.string("registration_number"),
      masked_name: fields.string("masked_name"),
      masked_document_number: fields.string("masked_document_number"),
      result: fields.object("result").data
    };
    fields.done();
    return answer;
  }
  async function publicLookup(read, query, { transcriptDigest } = {}) {
    const header = parseLookupHeader(await read(LOOKUP_INDEX_FILE));
    if (transcriptDigest !== void 0 && toHex(transcriptDigest) !== header.transcript) {
      throw new MalformedDocumentError("The lookup index was made for another transcript than the one given.", {
        source: "lookup index"
      });
    }
    const keys = lookupEntryKeys({ ...query, drawId: header.drawId, transcriptDigest: fromHex(header.transcript) });
    const prefix = keys.entryId.slice(0, header.digits);
    const entries = parseLookupShard(await read(`${prefix}.json`), header, prefix);
    const sealed = entries.get(keys.entryId);
    if (sealed === void 0) return null;
    const answer = openLookupEntry(sealed, keys);
    if (answer.registration_number !== query.registrationNumber) {
      throw new MalformedDocumentError("A lookup index entry names another registration number than its receipt.", {
        source: "lookup index"
      });
    }
    return answer;
  }

  // src/proof.js
  var PROOF_FOLDER = "proofs";
  function proofFileName(drawId, registrationNumber) {
    const id = toHex(
      taggedHash(Tag.PROOF_FILE, checkIdentifier(drawId, "draw_id"), checkIdentifier(registrationNumber, "registration_number"))
    ).slice(0, 32);
    return `${id.slice(0, 2)}/${id}.json`;
  }
  function parseProof(data, { document = "proof" } = {}) {
    const fields = Fields.of(parseJson(data, { document }), { document });
    const drawId = fields.string("draw_id");
    try {
      checkIdentifier(drawId, "draw_id");
    } catch (error) {
      throw fields.error("draw_id", error.problem, drawId);
    }
    const inclusion = (p) => {
      const count = p.integer("count", { minimum: 1 });
      const out = {
        line: p.string("line"),
        index: p.integer("index", { minimum: 0, maximum: count - 1 }),
        count,
        path: p.strings("path").map((node, i) => {
          if (!/^[0-9a-f]{64}$/.test(node)) throw p.error(`path[${i}]`, "expected 64 lower-case hexadecimal digits", node);
          return fromHex(node);
        })
      };
      p.done();
      return out;
    };
    const part = (f, key) => inclusion(f.object(key));
    const optionalPart = (f, key) => f.has(key) && f.data[key] === null ? f.value(key) : part(f, key);
    const proof = { draw_id: drawId, record: part(fields, "record"), result: part(fields, "result") };
    proof.rounds = fields.each("rounds", (r) => ({
      round: r.integer("round", { minimum: 2 }),
      standing: part(r, "standing"),
      response: optionalPart(r, "response"),
      record: optionalPart(r, "record"),
      result: optionalPart(r, "result")
    }));
    proof.rounds.forEach((r, i) => {
      if (r.round !== i + 2) throw fields.error("rounds", "the rounds must be 2, 3, … in order, none missing");
    });
    fields.done();
    return proof;
  }
  var PARENT_STEPS = Object.freeze([
    "documents",
    "signatures",
    "fingerprints",
    "identity",
    "record",
    "ticket",
    "result",
    "rounds"
  ]);
  function checkParentProof(input) {
    const steps = [];
    const state = {};
    const run2 = (id, body, { needs = [] } = {}) => {
      if (needs.some((n) => !steps.find((s) => s.id === n && s.status !== "fail"))) {
        steps.push({ id, status: "skipped", detail: "not checked: an earlier check it needs failed" });
        return;
      }
      try {
        const out = body();
        steps.push(typeof out === "string" ? { id, status: "pass", detail: out } : { id, ...out });
      } catch (error) {
        steps.push({ id, status: "fail", detail: error instanceof AllocError ? error.message : String(error) });
      }
    };
    const { proof, registrationNumber, announcement, transcript, policy } = input;
    const fail = (text) => {
      throw new AllocError(text);
    };
    run2("documents", () => {
      const a = announcement.signed;
      const t = transcript.signed;
      if (t.announcement !== toHex(documentDigest(announcement))) fail("The transcript names a different announcement.");
      if (t.draw_id !== a.draw_id) fail(`The announcement is for draw '${a.draw_id}', the transcript for '${t.draw_id}'.`);
      if (proof.draw_id !== a.draw_id) fail(`The proof is for draw '${proof.draw_id}', the announcement and transcript for '${a.draw_id}'.`);
      if (t.records.root !== a.records.root || t.records.count !== a.records.count) fail("The transcript repeats another records commitment than the announcement.");
      if (a.rehearsal || t.rehearsal) fail(`Draw '${a.draw_id}' is marked as a rehearsal (演练): a practice draw on a throw-away seed, never a real result.`);
      return `announcement and transcript of draw '${a.draw_id}'`;
    });
    run2("signatures", () => {
      const out = [];
      state.signers = {};
      for (const [kind, envelope] of [["announcement", announcement], ["transcript", transcript]]) {
        const report = evaluatePolicy(envelope, policy);
        state.signers[kind] = report;
        for (const role of report.roles) {
          if (role.invalid.length) {
            fail(`${kind}: the signature of the ${role.role} key with fingerprint ${fingerprint(role.invalid[0])} does not verify: the document was changed after it was signed.`);
          }
          if (!role.ok) {
            const others = report.untrusted.map(fingerprint).join(", ");
            fail(`${kind}: ${role.role} signed by ${role.valid} of the ${role.threshold} keys required` + (others ? `; signed instead by keys not in the trust file: ${others}` : "") + ".");
          }
        }
        out.push(`${kind}: ` + report.roles.map((r) => `${r.role} ${r.valid}/${r.threshold}`).join(", "));
      }
      return out.join("; ");
    }, { needs: ["documents"] });
    run2("fingerprints", () => {
      const expected = input.expected ?? {};
      const typed = Object.entries(expected).filter(([, v]) => typeof v === "string" && v.trim() !== "");
      if (typed.length === 0) return { status: "unchecked", detail: "compare the fingerprints shown with the bureau notice and the livestream" };
      for (const [role, text] of typed) {
        let pin;
        try {
          pin = parsePin(text.trim());
        } catch (error) {
          fail(`The ${role} fingerprint typed is not eight groups of five digits.`);
        }
        for (const kind of ["announcement", "transcript"]) {
          const report = state.signers?.[kind] ?? evaluatePolicy(kind === "announcement" ? announcement : transcript, policy);
          const signed = report.roles.find((r) => r.role === role);
          if (!signed || !signed.signers.some((id) => fingerprint(id) === pin)) {
            fail(`The ${kind} is not signed by the ${role} key with the fingerprint typed from the notice (${pin}).`);
          }
        }
      }
      return `the ${typed.map(([r]) => r).join(" and ")} fingerprints equal the ones from the notice`;
    }, { needs: ["documents"] });
    run2("identity", () => {
      const { records } = parseRecords(proof.record.line + "\n");
      state.record = records[0];
      if (state.record.registration_number !== registrationNumber) fail("The proof is for another registration number than the receipt.");
      if (state.record.identity === null) fail("The record carries no identity commitment.");
      const expected = identityCommitment({
        drawId: proof.draw_id,
        registrationNumber,
        documentType: input.documentType,
        documentNumber: input.documentNumber,
        name: input.name,
        salt: input.salt
      });
      if (toHex(expected) !== state.record.identity) {
        fail("The record's identity commitment does not match this receipt code, ID number and name.");
      }
      return "the record's identity commitment matches the receipt code, ID number and name";
    });
    run2("record", () => {
      const a = announcement.signed;
      const leaf = recordLeaf(proof.draw_id, utf8(proof.record.line));
      if (proof.record.count !== a.records.count || !verifyInclusion(leaf, proof.record.index, proof.record.count, proof.record.path, fromHex(a.records.root))) {
        fail("The record is not under the announced input root: it is not the record frozen before the draw.");
      }
      return `record ${proof.record.index + 1} of ${proof.record.count} is under the announced input root`;
    }, { needs: ["documents"] });
    run2("ticket", () => {
      const result = parseResultLine(proof.result.line);
      state.result = result;
      if (result.registration_number !== registrationNumber) fail("The result line is for another registration number.");
      const seed = fromHex(transcript.signed.seed);
      const own = toHex(ticket(seed, proof.draw_id, registrationNumber));
      if (result.ticket === own) return `lottery number ${own} = HMAC-SHA256(seed, registration number)`;
      const group = state.record?.group;
      if (group) {
        const shared = toHex(groupTicket(seed, proof.draw_id, group));
        if (result.ticket === shared) return `lottery number ${shared} = HMAC-SHA256(seed, multiples group '${group}')`;
      }
      fail(`The published lottery number ${result.ticket.slice(0, 16)}… is not HMAC-SHA256(seed, child) = ${own.slice(0, 16)}….`);
    }, { needs: ["documents"] });
    run2("result", () => {
      const t = transcript.signed;
      const leaf = resultLeaf(proof.draw_id, utf8(proof.result.line));
      if (proof.result.count !== t.results.count || !verifyInclusion(leaf, proof.result.index, proof.result.count, proof.result.path, fromHex(t.results.root))) {
        fail("The result is not under the transcript's results root: it is not the signed result.");
      }
      return `result ${proof.result.index + 1} of ${proof.result.count} is under the results root`;
    }, { needs: ["documents"] });
    run2("rounds", () => {
      const later = proof.rounds ?? [];
      if (later.length) {
        fail(
          `This proof also covers round${later.length > 1 ? "s" : ""} ${later.map((r) => r.round).join(", ")} after the draw, which this verifier does not check; the result above may have changed since. Check the proof with \`alloc proof check\`.`
        );
      }
      return "the proof covers the draw (round 1) alone";
    });
    const ok = steps.every((s) => s.status === "pass" || s.status === "unchecked");
    return { ok, steps, result: ok ? state.result : null, resultSeen: state.result ?? null, signers: state.signers ?? null };
  }
  function makeProof(drawId, recordLines, resultLines, registrationNumber) {
    const quoted = JSON.stringify(registrationNumber);
    const find = (lines) => lines.findIndex((line) => line.includes(quoted) && JSON.parse(line).registration_number === registrationNumber);
    const at = find(recordLines);
    const resultAt = find(resultLines);
    if (at < 0 || resultAt < 0) return null;
    const empty = new Uint8Array(0);
    const path = (lines, index, prefix) => inclusionProof(lines.map(utf8), index, { prefix });
    return {
      draw_id: drawId,
      record: { line: recordLines[at], index: at, count: recordLines.length, path: path(recordLines, at, recordLeaf(drawId, empty)) },
      result: { line: resultLines[resultAt], index: resultAt, count: resultLines.length, path: path(resultLines, resultAt, resultLeaf(drawId, empty)) },
      rounds: []
    };
  }
  return __toCommonJS(index_exports);
})();
