/* global window, document */
/*
 * Slack mrkdwn to DOM nodes, never through innerHTML: every piece of text the bot sent ends up in
 * a text node. Handles *bold*, _italic_, ~strike~, `code`, ```pre```, <url|label> (http, https
 * and mailto only), <@U…> as @name, <#C…|name> as #name, <!channel>/<!here>/<!everyone>, a few
 * :emoji:, and Slack's three entities (&lt; &gt; &amp;), which are shown as the characters they
 * stand for: an escaped "&lt;!channel&gt;" reads "<!channel>" and pings nobody.
 */
(function () {
  'use strict';

  var EMOJI = {
    white_check_mark: '\u2705', x: '\u274C', no_entry: '\u26D4', hourglass_flowing_sand: '\u23F3', gear: '\u2699\uFE0F',
    clock3: '\uD83D\uDD52', warning: '\u26A0\uFE0F', key: '\uD83D\uDD11', lock: '\uD83D\uDD12', tada: '\uD83C\uDF89',
    wave: '\uD83D\uDC4B', eyes: '\uD83D\uDC40', information_source: '\u2139\uFE0F', heavy_check_mark: '\u2714\uFE0F',
  };

  function decode(text) {
    return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  }

  function emoji(text) {
    return text.replace(/:([a-z0-9_+-]+):/g, function (all, name) {
      return Object.prototype.hasOwnProperty.call(EMOJI, name) ? EMOJI[name] : all;
    });
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function textNode(parent, raw) {
    if (raw) parent.appendChild(document.createTextNode(emoji(decode(raw))));
  }

  /** One <…> token: a link, a mention or a special command. */
  function angle(parent, inner, names) {
    var bar = inner.indexOf('|');
    var target = bar >= 0 ? inner.slice(0, bar) : inner;
    var label = bar >= 0 ? inner.slice(bar + 1) : '';
    if (target.charAt(0) === '@') {
      var id = target.slice(1);
      parent.appendChild(el('span', 'mention', '@' + decode((names.users && names.users[id]) || label || id)));
    } else if (target.charAt(0) === '#') {
      var cid = target.slice(1);
      parent.appendChild(el('span', 'mention', '#' + decode((names.channels && names.channels[cid]) || label || cid)));
    } else if (target.charAt(0) === '!') {
      var word = target.slice(1).split('^')[0];
      var special = { channel: '@channel', here: '@here', everyone: '@everyone' }[word];
      parent.appendChild(el('span', 'mention broadcast', special || decode(label || target)));
    } else if (/^(https?:|mailto:)/i.test(target)) {
      var a = el('a', 'link', decode(label || target));
      a.href = decode(target);
      a.target = '_blank';
      a.rel = 'noopener noreferrer';
      parent.appendChild(a);
    } else {
      textNode(parent, label || '<' + inner + '>');
    }
  }

  // <token> | *bold* | _italic_ | ~strike~, each style only at word boundaries, as Slack does.
  var TOKENS = /<([^<>\n]+)>|(^|[^\w*])\*(?!\s)([^*\n]+?)\*(?![\w*])|(^|[^\w_])_(?!\s)([^_\n]+?)_(?![\w_])|(^|[^\w~])~(?!\s)([^~\n]+?)~(?![\w~])/g;

  function styled(parent, text, names) {
    var last = 0;
    var match;
    TOKENS.lastIndex = 0;
    var found = [];
    while ((match = TOKENS.exec(text)) !== null) found.push({ index: match.index, end: TOKENS.lastIndex, m: match });
    found.forEach(function (f) {
      var m = f.m;
      var prefix = m[2] !== undefined ? m[2] : m[4] !== undefined ? m[4] : m[6] !== undefined ? m[6] : '';
      textNode(parent, text.slice(last, f.index) + prefix);
      if (m[1] !== undefined) angle(parent, m[1], names);
      else {
        var tag = m[3] !== undefined ? 'strong' : m[5] !== undefined ? 'em' : 's';
        var inner = el(tag);
        styled(inner, m[3] !== undefined ? m[3] : m[5] !== undefined ? m[5] : m[7], names);
        parent.appendChild(inner);
      }
      last = f.end;
    });
    textNode(parent, text.slice(last));
  }

  function inline(parent, text, names) {
    var parts = text.split(/`([^`\n]+)`/);
    parts.forEach(function (part, i) {
      if (i % 2 === 1) parent.appendChild(el('code', null, decode(part)));
      else styled(parent, part, names);
    });
  }

  /** mrkdwn text as a fragment. */
  function render(text, names) {
    var fragment = document.createDocumentFragment();
    String(text || '').split('```').forEach(function (part, i) {
      if (i % 2 === 1) fragment.appendChild(el('pre', null, decode(part.replace(/^\n/, ''))));
      else inline(fragment, part, names || {});
    });
    return fragment;
  }

  /** A text object ({type: 'plain_text' | 'mrkdwn', text}) as a fragment. */
  function textObject(obj, names) {
    if (!obj || typeof obj.text !== 'string') return document.createDocumentFragment();
    if (obj.type === 'mrkdwn') return render(obj.text, names);
    var f = document.createDocumentFragment();
    f.appendChild(document.createTextNode(obj.emoji === false ? obj.text : emoji(obj.text)));
    return f;
  }

  function plain(obj) {
    return obj && typeof obj.text === 'string' ? emoji(obj.text) : '';
  }

  window.Mrkdwn = { render: render, textObject: textObject, plain: plain, el: el };
})();
