/* global window, document */
/*
 * Messages as Slack shows them: author (APP tag for the bot), time, "(edited)", blocks or else
 * the mrkdwn text, "Only visible to you" for ephemeral ones, the reply count that opens the
 * thread pane. `ui` (app.js): names(), post(path, body), openThread(ts).
 */
(function () {
  'use strict';
  var M = window.Mrkdwn;
  var el = M.el;

  function messageContext(c, m, ui) {
    return {
      names: ui.names(),
      prefix: 'msg-' + m.ts.replace('.', '-'),
      change: function (blockId, element, input) {
        var body = { channel: c.id, ts: m.ts, block_id: blockId, action_id: element.action_id };
        Object.keys(input).forEach(function (k) { body[k] = input[k]; });
        return ui.post('action', body);
      },
      suggest: function () { return Promise.resolve({ options: [] }); },
      register: function () {},
    };
  }

  function message(c, m, inThread, ui) {
    var node = el('div', 'msg' + (m.ephemeral ? ' msg-ephemeral' : ''));
    node.dataset.ts = m.ts;
    var meta = el('div', 'msg-meta');
    meta.appendChild(el('strong', 'msg-author', m.userName));
    if (m.bot) meta.appendChild(el('span', 'app-tag', 'APP'));
    meta.appendChild(el('span', 'msg-time', new Date(parseFloat(m.ts) * 1000).toLocaleTimeString()));
    if (m.edited) meta.appendChild(el('span', 'msg-edited', '(edited)'));
    node.appendChild(meta);
    if (m.blocks && m.blocks.length) node.appendChild(window.Blocks.render(m.blocks, messageContext(c, m, ui)));
    else {
      var t = el('div', 'msg-text');
      t.appendChild(M.render(m.text, ui.names()));
      node.appendChild(t);
    }
    if (m.ephemeral) node.appendChild(el('div', 'ephemeral-note', 'Only visible to you'));
    if (!inThread && m.replies && m.replies.length) {
      var open = el('button', 'thread-link', m.replies.length + (m.replies.length === 1 ? ' reply' : ' replies'));
      open.type = 'button';
      open.addEventListener('click', function () { ui.openThread(m.ts); });
      node.appendChild(open);
    }
    return node;
  }

  function thread(c, ts, ui) {
    var pane = document.getElementById('thread');
    var parent = c && ts && c.messages.filter(function (m) { return m.ts === ts; })[0];
    pane.hidden = !parent;
    var body = document.getElementById('thread-messages');
    body.textContent = '';
    if (!parent) return;
    body.appendChild(message(c, parent, true, ui));
    parent.replies.forEach(function (r) { body.appendChild(message(c, r, true, ui)); });
  }

  window.SandboxMessages = { message: message, thread: thread };
})();
