// The parent's verifier page (docs/spec.md 9.5, 9.8), a classic script after
// alloc.js in verify.js: it reads the public files (fetch over http(s), or
// files the parent chooses when the page was opened from file://), checks
// one child's proof with the receipt code, ID number and name typed here,
// shows the signers' fingerprints for the parent to compare with the
// bureau's notice, and can re-run the whole draw. Nothing typed here leaves
// the page: there is no request but the fetches of public files.
(function () {
  'use strict';
  var A = window.alloc;
  var config = JSON.parse(document.getElementById('config').textContent);
  var $ = function (id) { return document.getElementById(id); };
  var chosen = null; // Map of file name (or relative path) to bytes, when the parent chose files
  var loaded = {}; // documents read once: announcement, transcript, trust

  var CHECKS = {
    files: ['读取公开文件', 'Reading the public files'],
    proof: ['找到本人的证明文件', "Finding this child's proof file"],
    documents: ['公告与结果记录属于同一次派位', 'Announcement and transcript belong to one draw'],
    signatures: ['区教育局和公证处的签名有效', 'Signed by the bureau and the notary'],
    fingerprints: ['签名指纹与公告一致', 'Fingerprints equal the notice'],
    identity: ['回执码、证件号码、姓名与报名记录一致', 'Receipt code, ID number and name match the record'],
    record: ['报名记录在派位前已冻结公示', 'The record was in the list frozen before the draw'],
    ticket: ['派位号由公开种子计算得出', 'The lottery number comes from the public seed'],
    result: ['本结果包含在签名的全部结果中', 'This result is in the signed results'],
    rounds: ['本证明只涉及派位（第 1 轮）', 'The proof covers the draw (round 1) alone'],
  };
  // What a parent can do when a check fails, in Chinese; the English detail follows.
  var ADVICE = {
    files: '无法读取公开文件，请稍后重试或选择已下载的文件。',
    proof: '没有找到这个登记号的证明文件：请核对登记号是否与回执一致。',
    documents: '公开文件不属于同一次派位或已被改动。',
    signatures: '签名无效或不是信任文件中的密钥所签：文件可能被改动。',
    fingerprints: '签名人的指纹与您输入的公告指纹不同：这些文件不是公告的密钥签署的。',
    identity: '请核对证件号码、姓名是否与报名时一致，回执校验码是否抄错。',
    record: '报名记录与派位前公示的名单不符：记录被改动过。',
    ticket: '派位号不是由公开种子计算得出的。',
    result: '结果与签名的结果记录不符：结果被改动过。',
    rounds: '此证明还包含派位后的递补或补录轮次，本页只核验派位结果（第 1 轮），无法核验之后的轮次：请用 alloc proof check 核验，或向区教育局查询最新结果。',
    rules: '规则与公告不符。',
    records: '报名记录与公告不符。',
    seed: '种子无法由揭示值和公开号码重算得出。',
    draw: '无法重新计算派位。',
    compare: '重算结果与签名的结果记录不符。',
  };
  var STAGES = {
    rules: ['规则与公告一致', 'The rules are the announced rules'],
    records: ['报名记录与公告一致', 'The records give the announced input root'],
    seed: ['种子由揭示值与公开号码算出', 'The seed comes from the reveals and public numbers'],
    draw: ['重新计算每个孩子的结果', "Every child's result recomputed"],
    compare: ['结果根与签名的结果记录一致', "The results root equals the signed transcript's"],
  };

  function text(el, value) { el.textContent = value; return el; }
  function make(tag, cls, value) {
    var el = document.createElement(tag);
    if (cls) el.className = cls;
    if (value !== undefined) el.textContent = value;
    return el;
  }
  function bilingual(el, zh, en) {
    el.textContent = '';
    el.appendChild(document.createTextNode(zh + ' '));
    el.appendChild(make('span', 'en', en));
    return el;
  }

  // --- the receipt code from the QR code: #r=<registration number>&s=<salt> ---------------
  function readFragment() {
    if (!location.hash || location.hash.length < 2) return;
    var params = new URLSearchParams(location.hash.slice(1));
    if (params.get('r')) $('reg').value = params.get('r');
    if (params.get('s')) $('salt').value = params.get('s');
    // Keep the receipt code out of the address bar, history and screenshots.
    try { history.replaceState(null, '', location.pathname + location.search); } catch (e) { /* file:// */ }
  }

  // --- reading files ------------------------------------------------------------------------
  function NotFound(name) { this.name = 'NotFound'; this.file = name; }

  function fetchBytes(url) {
    return fetch(url, { cache: 'no-cache', credentials: 'omit', referrerPolicy: 'no-referrer' }).then(function (response) {
      if (response.status === 404) throw new NotFound(url);
      if (!response.ok) throw new Error('HTTP ' + response.status + ' ' + url);
      return response.arrayBuffer();
    }).then(function (buffer) { return new Uint8Array(buffer); });
  }

  function chosenFile(match) {
    var found = null;
    chosen.forEach(function (bytes, name) { if (found === null && match(name, bytes)) found = bytes; });
    return found;
  }

  function baseName(path) { return path.split('/').pop(); }

  // A public file by name: from the chosen files (by content when renamed), else fetched.
  function publicFile(name, kind) {
    if (chosen !== null) {
      var bytes = chosenFile(function (path) { return baseName(path) === name; });
      if (bytes === null && kind) bytes = chosenFile(function (path, data) { return sniff(data) === kind; });
      if (bytes === null) return Promise.reject(new NotFound(name));
      return Promise.resolve(bytes);
    }
    return fetchBytes(config.public + name);
  }

  // What a chosen file is, from its content: downloads get renamed ("transcript (1).json").
  function sniff(bytes) {
    var head = new TextDecoder().decode(bytes.subarray(0, 4096));
    if (head.indexOf('{"signatures":') === 0) {
      if (head.indexOf('"type":"announcement"') >= 0) return 'announcement';
      if (head.indexOf('"type":"transcript"') >= 0) return 'transcript';
      return null;
    }
    if (/^\{"roles":/.test(head)) return 'trust';
    if (/^\{"draw_id":[^\n]*"record":\{/.test(head)) return 'proof';
    if (/^\{"choices":/.test(head)) return 'records';
    if (/^\{"block":/.test(head)) return 'results';
    if (head.indexOf('"kindergartens"') >= 0) return 'rules';
    return null;
  }

  function offerFiles(why) {
    $('files').hidden = false;
    text($('files-why'), why);
    $('files').scrollIntoView({ behavior: 'smooth', block: 'start' });
  }

  function pick(input) {
    var files = Array.prototype.slice.call(input.files || []);
    if (!files.length) return;
    Promise.all(files.map(function (file) {
      return file.arrayBuffer().then(function (buffer) {
        return [file.webkitRelativePath || file.name, new Uint8Array(buffer)];
      });
    })).then(function (pairs) {
      if (chosen === null) chosen = new Map();
      pairs.forEach(function (pair) { chosen.set(pair[0], pair[1]); });
      loaded = {};
      bilingual($('picked'), '已选择 ' + chosen.size + ' 个文件。', chosen.size + ' files chosen.');
    });
  }

  function isUnreachable(error) {
    return !(error instanceof NotFound) && (location.protocol === 'file:' || error instanceof TypeError);
  }

  // The three signed or trusted documents, read strictly once.
  function documents() {
    if (loaded.announcement) return Promise.resolve(loaded);
    return Promise.all([
      publicFile('announcement.json', 'announcement'),
      publicFile('transcript.json', 'transcript'),
      publicFile('trust.json', 'trust'),
    ]).then(function (files) {
      var announcement = A.parseEnvelope(files[0], { expectedType: 'announcement', document: 'announcement' });
      A.readAnnouncement(announcement);
      var transcript = A.parseEnvelope(files[1], { expectedType: 'transcript', document: 'transcript' });
      A.readTranscript(transcript);
      var trust = A.parseTrust(files[2], { document: 'trust.json' });
      loaded = { announcement: announcement, transcript: transcript, trust: trust };
      showTitle(announcement);
      return loaded;
    });
  }

  function showTitle(announcement) {
    var s = announcement.signed;
    text($('draw-title'), [s.authority, s.title, s.draw_id].filter(Boolean).join(' · '));
  }

  // --- showing checks -----------------------------------------------------------------------
  function showCheck(list, labels, id, status, detail) {
    var li = make('li');
    li.setAttribute('data-check', id);
    li.setAttribute('data-status', status);
    var mark = make('span', 'mark', { pass: '✓', fail: '✗', unchecked: '?', skipped: '–', running: '…' }[status] || '');
    mark.setAttribute('aria-hidden', 'true');
    var body = make('span', 'check-text');
    var words = { pass: '通过 passed', fail: '未通过 FAILED', unchecked: '请人工核对 compare by eye', skipped: '未检查 not checked', running: '进行中 running' }[status];
    bilingual(body, labels[id][0], labels[id][1]);
    var advice = status === 'fail' && ADVICE[id] ? ADVICE[id] + ' ' : '';
    body.appendChild(make('span', 'detail', words + ' — ' + advice + (detail || '')));
    li.appendChild(mark);
    li.appendChild(body);
    list.appendChild(li);
    return li;
  }

  function showKeys(trust, signers, pins) {
    var box = $('keys');
    box.textContent = '';
    var names = { bureau: ['区教育局', 'Education bureau'], notary: ['公证处', 'Notary'] };
    trust.roles.forEach(function (role) {
      var div = make('div', 'fp-role');
      div.setAttribute('data-role', role.name);
      var title = make('h3');
      var label = names[role.name] || [role.name, role.name];
      bilingual(title, label[0], label[1]);
      div.appendChild(title);
      role.keys.forEach(function (key) {
        var signedBoth = ['announcement', 'transcript'].every(function (kind) {
          var report = signers && signers[kind];
          var r = report && report.roles.filter(function (x) { return x.role === role.name; })[0];
          return r && r.signers.indexOf(key.keyid) >= 0;
        });
        var fp = make('div', 'fp');
        fp.setAttribute('data-fingerprint', key.fingerprint);
        key.fingerprint.split(' ').forEach(function (group) { fp.appendChild(make('span', null, group)); });
        div.appendChild(fp);
        var state = make('p', 'fp-state');
        bilingual(state, signedBoth ? '已签署公告和结果记录' : '未签署这两份文件', signedBoth ? 'signed the announcement and the transcript' : 'did not sign both documents');
        div.appendChild(state);
        var pin = pins[role.name];
        if (pin) {
          var same = pin === key.fingerprint;
          var cmp = make('p', 'fp-state');
          cmp.setAttribute('data-compared', same ? 'same' : 'different');
          bilingual(cmp, same ? '✓ 与您输入的公告指纹相同' : '✗ 与您输入的公告指纹不同', same ? 'equal to the fingerprint you typed' : 'differs from the fingerprint you typed');
          div.appendChild(cmp);
        }
        div.appendChild(make('p', 'keyid', 'key id ' + key.keyid));
      });
      box.appendChild(div);
    });
    var s = loaded.announcement.signed;
    $('demo').hidden = !(s.title.indexOf('DEMO') >= 0 || s.software.indexOf('DEMO') >= 0);
    $('keys-section').hidden = false;
  }

  function kindergartenNames(transcript) {
    var names = {};
    transcript.signed.kindergartens.forEach(function (k) { names[k.id] = k.name || k.id; });
    return names;
  }

  // The result in plain words: placed at X / won at X and Y / waitlist N at Y / not placed.
  function describe(result, names) {
    var label = function (id) { return names[id] ? names[id] + '（' + id + '）' : id; };
    var zh = [];
    var en = [];
    if (result.placed) {
      zh.push('已录取：' + label(result.placed));
      en.push('Placed at ' + label(result.placed).replace('（', ' (').replace('）', ')'));
    } else if (result.wins && result.wins.length) {
      var wins = result.wins.map(function (w) { return label(w.kindergarten); });
      zh.push('中签：' + wins.join('、') + (wins.length > 1 ? '（请按规定选择其中一所）' : ''));
      en.push('Won a place at ' + result.wins.map(function (w) { return w.kindergarten; }).join(', '));
    }
    (result.waitlist || []).forEach(function (w) {
      zh.push('候补：' + label(w.kindergarten) + ' 第 ' + w.position + ' 位');
      en.push('Waitlist position ' + w.position + ' at ' + w.kindergarten);
    });
    if (!result.placed && !(result.wins && result.wins.length)) {
      zh.unshift('未录取');
      en.unshift('Not placed');
    }
    return { zh: zh.join('；'), en: en.join('; ') };
  }

  function fieldError(id, message) {
    var el = $(id + '-error');
    if (!el) return;
    el.hidden = !message;
    text(el, message || '');
  }

  function typed() {
    var pins = {};
    ['bureau', 'notary'].forEach(function (role) {
      var v = $('pin-' + role).value.trim().replace(/\s+/g, ' ');
      if (v) pins[role] = v;
    });
    return {
      reg: $('reg').value.trim(),
      salt: $('salt').value,
      type: $('doctype').value,
      number: $('docnum').value,
      name: $('name').value,
      pins: pins,
    };
  }

  // --- the parent's check -------------------------------------------------------------------
  function check(event) {
    if (event) event.preventDefault();
    var input = typed();
    var salt = null;
    var valid = input.reg !== '';
    fieldError('salt', '');
    fieldError('docnum', '');
    fieldError('name', '');
    try { salt = A.parseSalt(input.salt); } catch (e) { valid = false; fieldError('salt', '回执校验码应为 26 个字母或数字（A–Z、2–7）。 ' + e.problem); }
    try { A.normaliseDocumentNumber(input.type, input.number); } catch (e) { valid = false; fieldError('docnum', '证件号码格式不对。 ' + e.problem); }
    try { A.normaliseName(input.name); } catch (e) { valid = false; fieldError('name', '姓名格式不对。 ' + e.problem); }
    if (!valid) return;
    var list = $('checks');
    list.textContent = '';
    $('checks-section').hidden = false;
    $('result-section').hidden = true;
    var button = $('check');
    button.disabled = true;
    var finish = function () { button.disabled = false; };
    documents().then(function (docs) {
      showCheck(list, CHECKS, 'files', 'pass', 'announcement.json, transcript.json, trust.json');
      return findProof(docs, input.reg).then(function (proofBytes) {
        return proofBytes;
      }, function (error) {
        showCheck(list, CHECKS, 'proof', 'fail', error.message || String(error));
        failed({ id: 'proof' });
        return null;
      }).then(function (proofBytes) {
        if (proofBytes === null) return;
        var proof;
        try {
          proof = A.parseProof(proofBytes, { document: 'proof file' });
        } catch (e) {
          showCheck(list, CHECKS, 'proof', 'fail', e.message);
          return failed({ id: 'proof' });
        }
        showCheck(list, CHECKS, 'proof', 'pass', '');
        var report = A.checkParentProof({
          proof: proof,
          registrationNumber: input.reg,
          salt: salt,
          documentType: input.type,
          documentNumber: input.number,
          name: input.name,
          announcement: docs.announcement,
          transcript: docs.transcript,
          policy: docs.trust,
          expected: input.pins,
        });
        showKeys(docs.trust, report.signers, normalisedPins(input.pins));
        report.steps.forEach(function (step) { showCheck(list, CHECKS, step.id, step.status, step.detail); });
        if (report.ok) {
          return laterRounds().then(function (later) {
            var words = describe(report.result, kindergartenNames(docs.transcript));
            var out = $('result');
            out.textContent = '';
            out.appendChild(document.createTextNode(words.zh));
            out.appendChild(make('span', 'en', words.en));
            var unchecked = report.steps.some(function (s) { return s.status === 'unchecked'; });
            if (unchecked) out.appendChild(make('span', 'en', '请核对下方的签名指纹与公告一致。 Compare the fingerprints below with the notice.'));
            $('later').hidden = !later;
            out.setAttribute('data-outcome', 'checked');
            $('result-section').hidden = false;
            $('result-section').scrollIntoView({ behavior: 'smooth', block: 'start' });
          });
        } else {
          failed(report.steps.filter(function (s) { return s.status === 'fail'; })[0]);
        }
      });
    }, function (error) {
      if (isUnreachable(error)) {
        offerFiles('无法从网站读取公开文件（例如从本地打开本页时）。 The page cannot read the public files here (opened from a file, or offline).');
        showCheck(list, CHECKS, 'files', 'fail', '请在下方选择文件 choose the files below');
      } else if (error instanceof NotFound) {
        showCheck(list, CHECKS, 'files', 'fail', '缺少文件 missing file: ' + error.file);
        if (chosen === null) offerFiles('网站上缺少文件。 A file is missing on the site.');
      } else {
        showCheck(list, CHECKS, 'documents', 'fail', error.message || String(error));
      }
      failed();
    }).then(finish, function (error) { showCheck(list, CHECKS, 'documents', 'fail', String(error)); failed(); finish(); });
  }

  function normalisedPins(pins) {
    var out = {};
    Object.keys(pins).forEach(function (role) {
      try { out[role] = A.parsePin(pins[role]); } catch (e) { out[role] = pins[role]; }
    });
    return out;
  }

  // Whether the bureau published a later round (confirmations, promotion from
  // the waitlists, a second-round draw: spec 11). The result this page checks is
  // the draw's, round 1; it reads no round document, so it says that the
  // result may have changed since instead of showing it as the current one.
  function laterRounds() {
    if (chosen !== null) {
      return Promise.resolve(chosenFile(function (p, data) {
        var head = new TextDecoder().decode(data.subarray(0, 4096));
        return head.indexOf('{"signatures":') === 0 && head.indexOf('"type":"round-') >= 0;
      }) !== null);
    }
    return fetch(config.public + 'rounds/2/announcement.json', { method: 'HEAD', cache: 'no-cache', credentials: 'omit', referrerPolicy: 'no-referrer' })
      .then(function (response) { return response.ok; }, function () { return false; });
  }

  function failed(step) {
    $('later').hidden = true;
    var out = $('result');
    out.setAttribute('data-outcome', 'failed');
    out.textContent = '';
    var name = step ? CHECKS[step.id] : null;
    out.appendChild(document.createTextNode('核验未通过' + (name ? '：' + name[0] : '') + '。请勿相信此结果，并联系区教育局。'));
    out.appendChild(make('span', 'en', 'The check FAILED' + (name ? ': ' + name[1] : '') + '. Do not rely on this result; contact the bureau.'));
    $('result-section').hidden = false;
    $('result-section').scrollIntoView({ behavior: 'smooth', block: 'start' });
  }

  // The child's proof: the published proof file, a chosen proof file, or cut from records and results.
  function findProof(docs, reg) {
    var drawId = docs.announcement.signed.draw_id;
    var name = A.proofFileName(drawId, reg);
    if (chosen === null) {
      return fetchBytes(config.proofs + name).catch(function (error) {
        if (error instanceof NotFound) {
          throw new Error('没有这个登记号的证明文件，请核对登记号。 No proof file for this registration number: check the registration number as printed on the receipt.');
        }
        throw error;
      });
    }
    var path = 'proofs/' + name;
    var bytes = chosenFile(function (p) { return p === name || p.slice(-path.length) === path; });
    if (bytes === null) {
      bytes = chosenFile(function (p, data) {
        if (sniff(data) !== 'proof') return false;
        try { return JSON.parse(new TextDecoder().decode(data)).record.line.indexOf(JSON.stringify(reg)) >= 0; } catch (e) { return false; }
      });
    }
    if (bytes !== null) return Promise.resolve(bytes);
    var records = chosenFile(function (p, data) { return sniff(data) === 'records'; });
    var results = chosenFile(function (p, data) { return sniff(data) === 'results'; });
    if (records === null || results === null) {
      return Promise.reject(new Error('请选择本人的证明文件，或 records.jsonl 和 results.jsonl。 Choose the proof file, or records.jsonl and results.jsonl.'));
    }
    var lines = function (b) { return A.splitLines(b, 'file'); };
    var proof = A.makeProof(drawId, lines(records), lines(results), reg);
    if (proof === null) return Promise.reject(new Error('记录中没有这个登记号。 This registration number is not in the records.'));
    var json = {
      draw_id: proof.draw_id,
      record: { line: proof.record.line, index: proof.record.index, count: proof.record.count, path: proof.record.path.map(A.toHex) },
      result: { line: proof.result.line, index: proof.result.index, count: proof.result.count, path: proof.result.path.map(A.toHex) },
      rounds: [],
    };
    return Promise.resolve(A.utf8(A.canonicalJson(json)));
  }

  // --- re-running the whole draw ------------------------------------------------------------
  function rerun() {
    var button = $('rerun');
    var list = $('stages');
    var status = $('rerun-status');
    var progress = $('progress');
    button.disabled = true;
    list.textContent = '';
    status.removeAttribute('data-status');
    progress.hidden = false;
    progress.value = 0;
    var started = performance.now();
    var seconds = function () { return ((performance.now() - started) / 1000).toFixed(1); };
    bilingual(status, '正在下载公开文件…', 'Downloading the public files…');
    var pause = function () { return new Promise(function (resolve) { setTimeout(resolve, 0); }); };
    documents().then(function (docs) {
      return Promise.all([publicFile('rules.json', 'rules'), publicFile('records.jsonl', 'records')]).then(function (files) {
        started = performance.now();
        return A.checkDraw(
          { rules: files[0], records: files[1], announcement: docs.announcement, transcript: docs.transcript },
          {
            onStage: function (id, index) {
              progress.value = index;
              bilingual(status, '正在计算：' + STAGES[id][0] + '（' + seconds() + ' 秒）', 'Working: ' + STAGES[id][1] + ' (' + seconds() + ' s)');
              return pause();
            },
          },
        );
      });
    }).then(function (report) {
      var ms = Math.round(performance.now() - started);
      progress.value = 5;
      report.stages.forEach(function (s) { showCheck(list, STAGES, s.id, s.status, s.detail); });
      status.setAttribute('data-status', report.ok ? 'pass' : 'fail');
      status.setAttribute('data-ms', String(ms));
      if (report.ok) {
        bilingual(status, '✓ 重新计算的 ' + report.count + ' 个结果与签名的结果完全一致，用时 ' + (ms / 1000).toFixed(1) + ' 秒。', 'All ' + report.count + ' results recomputed equal the signed results; ' + (ms / 1000).toFixed(1) + ' s.');
      } else {
        bilingual(status, '✗ 重新计算与签名的结果不一致，用时 ' + (ms / 1000).toFixed(1) + ' 秒。', 'The re-run does NOT match the signed results; ' + (ms / 1000).toFixed(1) + ' s.');
      }
    }, function (error) {
      status.setAttribute('data-status', 'fail');
      if (isUnreachable(error)) {
        offerFiles('无法从网站读取公开文件。 The page cannot read the public files here.');
        bilingual(status, '请在上方选择文件后再试。', 'Choose the files above, then try again.');
      } else {
        bilingual(status, '✗ ' + (error instanceof NotFound ? '缺少文件 missing file: ' + error.file : (error.message || String(error))), '');
      }
    }).then(function () { button.disabled = false; progress.hidden = true; });
  }

  readFragment();
  if (config.site) $('site').hidden = false;
  $('form').addEventListener('submit', check);
  $('rerun').addEventListener('click', rerun);
  $('pick').addEventListener('change', function () { pick($('pick')); });
  $('pick-folder').addEventListener('change', function () { pick($('pick-folder')); });
  if (location.protocol === 'file:') {
    offerFiles('本页是从本地文件打开的，请选择一同下载的公开文件。 This page was opened from a file: choose the public files downloaded with it.');
  } else {
    // The signed documents are small: read them now, so a check later needs only the proof file.
    documents().catch(function () { loaded = {}; });
  }
})();
