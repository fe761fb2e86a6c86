// The composer as one types: the network's own count (the rules of advocacy/charter/networks.py, which the
// server's count and the charter's length check use), the charter's findings from POST /api/v1/charter/check
// (debounced) marked behind the text and listed with their fixes, one click to apply a fix or add the
// disclosure hashtag, the preview, and what was typed carried to another network's tab. The share page's
// "Copy the text" button. Without this script the form's buttons post to the server, which does the same.
"use strict";

var Count = (function () {
  var W = "\\p{L}\\p{N}_"; // Python's \w on text: letters, digits, the underscore
  var TLDS =
    "com|net|org|info|biz|io|co|ai|app|dev|me|ly|gl|gd|to|tv|cc|so|sh|fm|am|link|page|site|online|" +
    "fr|be|ch|ca|uk|de|es|it|nl|eu|lu|us|pt|pl|se|no|dk|fi|ie|at|jp|cn|in|br|au|nz|ru|xyz|tech|news|blog|" +
    "cloud|store|shop|social|bsky";
  var STOP = "\\s<>\"'()\\[\\]{}";
  var URL = new RegExp(
    "(?:(?<![" + W + "])https?://|(?<![" + W + "])www\\.)[^" + STOP + "]+[^" + STOP + ".,;:!?]" +
      "|(?<![" + W + "@./-])(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\\.)+(?:" + TLDS + ")(?![" + W + "-]|\\.[" + W + "-])" +
      "(?::[0-9]{1,5})?(?:/[^" + STOP + "]*[^" + STOP + ".,;:!?])?/?(?![" + W + "@-])",
    "giu"
  );
  var SCHEME_URL = new RegExp("(?<![" + W + "])https?://[^" + STOP + "]+[^" + STOP + ".,;:!?]", "giu");
  var REMOTE_MENTION = new RegExp("(?<![" + W + "@./])(@[" + W + "]+)@[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)+", "gu");
  var HEAVY = /[^\u0000-\u10ff\u2000-\u200d\u2010-\u201f\u2032-\u2037]/gu;
  var PICTOGRAPH_OR_KEYCAP =
    /[\u00a9\u00ae\u203c\u2049\u20e3\u2122\u2139\u2190-\u21ff\u2300-\u23ff\u24c2\u25aa-\u27bf\u2900-\u297f\u2b00-\u2bff\u3030\u303d\u3297\u3299\u{1f000}-\u{1ffff}]/u;
  var EMOJI_SEQUENCE =
    /\p{Regional_Indicator}{2}|[0-9#*]\ufe0f?\u20e3|\p{Extended_Pictographic}[\p{Emoji_Modifier}\ufe0f]?(?:\u200d\p{Extended_Pictographic}[\p{Emoji_Modifier}\ufe0f]?)*/gu;
  var URL_LENGTH = 23;
  var segmenter = window.Intl && Intl.Segmenter ? new Intl.Segmenter("en", { granularity: "grapheme" }) : null;

  function codePoints(text) {
    return Array.from(text).length;
  }
  function matches(pattern, text) {
    return text.match(pattern) || [];
  }
  function graphemes(text) {
    if (!segmenter) return codePoints(text);
    var n = 0;
    for (var _ of segmenter.segment(text)) n++; // eslint-disable-line no-unused-vars
    return n;
  }
  function xWeight(text) {
    text = text.normalize("NFC");
    var found = matches(URL, text).length;
    text = text.replace(URL, "");
    var weight = URL_LENGTH * found;
    weight += codePoints(text) + matches(HEAVY, text).length;
    if (PICTOGRAPH_OR_KEYCAP.test(text)) {
      // An emoji sequence counts 2 whatever its code points (twitter-text)
      matches(EMOJI_SEQUENCE, text).forEach(function (emoji) {
        weight += 2 - codePoints(emoji) - matches(HEAVY, emoji).length;
      });
    }
    return weight;
  }
  function mastodon(text) {
    var fixed = URL_LENGTH * matches(SCHEME_URL, text).length;
    text = text.replace(SCHEME_URL, "").replace(REMOTE_MENTION, "$1");
    return fixed + graphemes(text);
  }
  return function length(text, network) {
    if (network === "x") return xWeight(text);
    if (network === "mastodon") return mastodon(text);
    if (network === "bluesky") return graphemes(text);
    return codePoints(text);
  };
})();

(function () {
  var DEBOUNCE_MS = 350;

  // The charter counts in code points; the page's text in UTF-16 units.
  function unitIndex(text, codePoint) {
    var units = 0;
    var seen = 0;
    for (var ch of text) {
      if (seen >= codePoint) break;
      units += ch.length;
      seen++;
    }
    return units;
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function setUp(form) {
    var box = form.querySelector("#caption");
    var backdrop = form.querySelector("[data-backdrop]");
    var countLine = form.querySelector("[data-count-line]");
    var count = form.querySelector("[data-count]");
    var list = form.querySelector("[data-findings]");
    var verdict = form.querySelector("[data-verdict]");
    var disclose = form.querySelector("[data-disclose]");
    var previewText = document.querySelector("[data-preview-text]");
    var network = form.dataset.network;
    var suffix = form.dataset.suffix || "";
    var max = parseInt(form.dataset.max, 10);
    var tag = form.dataset.disclosure;
    var labels = JSON.parse(form.dataset.labels);
    var body = JSON.parse(form.dataset.check);
    var csrf = form.querySelector("input[name=csrf]").value;
    var timer = null;
    var asked = 0;
    var findings = [];

    function recount() {
      var text = box.value;
      var n = Count(text + suffix, network);
      count.textContent = String(n);
      countLine.classList.toggle("composer__count--over", n > max);
      if (previewText) previewText.textContent = text + suffix;
    }

    function clamp(finding, text) {
      var size = Array.from(text).length;
      var start = Math.min(finding.start, size);
      var end = Math.min(finding.end, size);
      return { start: unitIndex(text, start), end: unitIndex(text, end) };
    }

    function mark(text) {
      var rank = { warn: 1, review: 2, block: 3 };
      var spans = findings.map(function (f) {
        var at = clamp(f, text);
        return { start: at.start, end: at.end, severity: f.severity };
      });
      var cuts = [0, text.length];
      spans.forEach(function (s) { cuts.push(s.start, s.end); });
      cuts = Array.from(new Set(cuts)).sort(function (a, b) { return a - b; });
      backdrop.textContent = "";
      for (var i = 0; i + 1 < cuts.length; i++) {
        var start = cuts[i], end = cuts[i + 1];
        var worst = null;
        spans.forEach(function (s) {
          if (s.start < s.end && s.start <= start && end <= s.end && (!worst || rank[s.severity] > rank[worst])) {
            worst = s.severity;
          }
        });
        var piece = text.slice(start, end);
        backdrop.appendChild(worst ? el("mark", "finding finding--" + worst, piece) : document.createTextNode(piece));
      }
      backdrop.appendChild(document.createTextNode("\u200b"));
    }

    function show(result) {
      findings = result.findings;
      var text = box.value;
      mark(text);
      verdict.className = "verdict verdict--" + result.decision;
      list.textContent = "";
      if (!findings.length) {
        list.appendChild(el("p", "findings-none", labels.none));
      } else {
        var ul = el("ul", "findings");
        findings.forEach(function (f) {
          var li = el("li", "finding-line finding-line--" + f.severity);
          li.appendChild(el("span", "tag tag--" + f.severity, labels[f.severity]));
          li.appendChild(document.createTextNode(" "));
          li.appendChild(el("span", "finding-line__message", f.message));
          // the disclosure has a button of its own (data-disclose), which adds the tag
          if (f.suggestion !== null && f.suggestion !== undefined && f.rule_id !== "disclosure.missing") {
            var size = Array.from(text).length; // the buttons keep the charter's code point positions
            var at = { start: Math.min(f.start, size), end: Math.min(f.end, size) };
            var button = el("button", "button button--secondary button--small");
            button.type = "button";
            var shown = f.suggestion.trim();
            button.textContent = shown ? labels.fix + ": " : labels.remove;
            if (shown) button.appendChild(el("q", "", shown));
            button.dataset.start = String(at.start);
            button.dataset.end = String(at.end);
            button.dataset.suggestion = f.suggestion;
            li.appendChild(document.createTextNode(" "));
            li.appendChild(button);
          }
          ul.appendChild(li);
        });
        list.appendChild(ul);
      }
      if (disclose) {
        disclose.hidden = box.readOnly || !findings.some(function (f) { return f.rule_id === "disclosure.missing"; });
      }
    }

    function check() {
      var text = box.value;
      var ticket = ++asked;
      var request = Object.assign({}, body, { text: text + suffix });
      fetch("/api/v1/charter/check", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
        body: JSON.stringify(request),
      })
        .then(function (response) {
          if (!response.ok) throw new Error(String(response.status));
          return response.json();
        })
        .then(function (result) {
          if (ticket === asked && box.value === text) show(result);
        })
        .catch(function () {
          if (ticket === asked) list.textContent = labels.failed;
        });
    }

    function changed() {
      recount();
      findings = [];
      mark(box.value);
      clearTimeout(timer);
      timer = setTimeout(check, DEBOUNCE_MS);
    }

    function replace(start, end, text) {
      var value = box.value;
      box.value = value.slice(0, start) + text + value.slice(end);
      box.focus();
      box.setSelectionRange(start + text.length, start + text.length);
      recount();
      check();
    }

    box.addEventListener("input", changed);
    // Another network's tab keeps what was typed (the page reads it from `caption`).
    document.querySelectorAll(".composer-tabs a").forEach(function (tab) {
      tab.addEventListener("click", function (event) {
        if (box.readOnly || box.value === box.defaultValue) return;
        event.preventDefault();
        var url = new URL(tab.href);
        url.searchParams.set("caption", box.value);
        window.location.assign(url.toString());
      });
    });
    form.addEventListener("click", function (event) {
      var button = event.target.closest("button");
      if (!button || !form.contains(button)) return;
      if (button.name === "fix" || button.dataset.suggestion !== undefined) {
        event.preventDefault();
        var value = box.value;
        var start = unitIndex(value, parseInt(button.dataset.start, 10));
        var end = unitIndex(value, parseInt(button.dataset.end, 10));
        if (start >= value.length) start = end = value.trimEnd().length; // after the text: at its end
        replace(start, Math.max(start, end), button.dataset.suggestion);
      } else if (button.value === "disclose" && tag) {
        event.preventDefault();
        var trimmed = box.value.trimEnd();
        replace(trimmed.length, box.value.length, " " + tag);
      } else if (button.value === "check") {
        event.preventDefault();
        check();
      }
    });
    recount();
  }

  function setUpCopy(button) {
    var source = document.getElementById(button.dataset.copy);
    if (!source || !navigator.clipboard) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(source.value);
    });
  }

  document.querySelectorAll("[data-composer]").forEach(setUp);
  document.querySelectorAll("[data-copy]").forEach(setUpCopy);
  window.advocacyCount = Count; // the browser tests compare it with the server's count
})();
