/* global window, document, fetch, EventSource, URLSearchParams, setTimeout, clearTimeout */
/*
 * The sandbox page: a person switcher, channels, the person's DM with the bot, App Home, the
 * composer (/apikey … goes to the bot as a slash command), messages with their updates, threads
 * and ephemeral messages, kept live over server-sent events; modals via modal.js.
 */
(function () {
  'use strict';
  var M = window.Mrkdwn;
  var el = M.el;
  var $ = function (id) { return document.getElementById(id); };
  var params = new URLSearchParams(window.location.search);
  var me = params.get('as') || 'U0DEV';
  var current = params.get('c') || null;
  var thread = null;
  var snap = null;
  var seen = {};
  var problemsSeen = 0;
  var Messages = window.SandboxMessages;
  // What messages.js needs from here.
  var ui = {
    names: function () { return snap.names; },
    post: function (path, body) { return post(path, body); },
    openThread: function (ts) {
      thread = ts;
      draw();
    },
  };

  function post(path, body) {
    body.user = me;
    return fetch('/sandbox/' + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
      .then(function (r) { return r.json(); })
      .then(function (answer) {
        if (answer && answer.ok === false && answer.error && !answer.errors && path !== 'input') toast(path + ': ' + answer.error);
        return answer;
      }, function (err) {
        toast('The sandbox is not reachable: ' + err.message);
        return { ok: false, error: 'unreachable' };
      });
  }

  function toast(text) {
    var t = $('toast');
    t.textContent = text;
    t.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(function () { t.hidden = true; }, 6000);
  }

  function conversation(id) {
    return snap && snap.conversations.filter(function (c) { return c.id === id; })[0];
  }

  function sidebar() {
    var channels = $('channels');
    var dms = $('dms');
    channels.textContent = '';
    dms.textContent = '';
    snap.conversations.forEach(function (c) {
      var li = el('li');
      var b = el('button', 'nav-item' + (c.id === current ? ' active' : ''), (c.kind === 'im' ? '' : '# ') + c.name);
      b.type = 'button';
      b.dataset.conversation = c.id;
      var count = c.messages.length;
      if (c.id === current) seen[me + c.id] = count;
      else if (count > (seen[me + c.id] || 0)) b.appendChild(el('span', 'badge', String(count - (seen[me + c.id] || 0))));
      b.addEventListener('click', function () { go(c.id); });
      li.appendChild(b);
      (c.kind === 'im' ? dms : channels).appendChild(li);
    });
    $('open-home').className = 'nav-item' + (current === 'home' ? ' active' : '');
    $('connection').textContent = snap.connected ? 'bot connected' : 'bot not connected yet';
    $('connection').className = snap.connected ? 'connection ok' : 'connection down';
  }

  function problems() {
    var box = $('problems');
    var list = snap.problems.slice(problemsSeen);
    box.hidden = list.length === 0;
    box.textContent = '';
    if (!list.length) return;
    box.appendChild(el('strong', null, 'Slack would have refused or shown an error (a bot bug?):'));
    var ul = el('ul');
    list.forEach(function (p) {
      var li = el('li', null, p.what);
      p.details.forEach(function (d) { li.appendChild(el('div', 'problem-detail', d)); });
      ul.appendChild(li);
    });
    box.appendChild(ul);
    var dismiss = el('button', 'btn', 'Dismiss');
    dismiss.type = 'button';
    dismiss.addEventListener('click', function () {
      problemsSeen = snap.problems.length;
      problems();
    });
    box.appendChild(dismiss);
  }

  function main() {
    var list = $('messages');
    var home = $('home');
    var c = conversation(current);
    var atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
    list.textContent = '';
    home.textContent = '';
    list.hidden = current === 'home';
    home.hidden = current !== 'home';
    if (current === 'home') {
      $('conv-title').textContent = 'apikey-bot \u2014 Home';
      if (snap.home) home.appendChild(window.Blocks.render(snap.home.view.blocks, { names: snap.names, prefix: 'home', register: function () {}, suggest: function () { return Promise.resolve({ options: [] }); }, change: function (blockId, element, input) {
        var body = { home: true, block_id: blockId, action_id: element.action_id };
        Object.keys(input).forEach(function (k) { body[k] = input[k]; });
        return post('action', body);
      } }));
      else home.appendChild(el('p', 'empty', 'The bot has not published a Home tab for you yet.'));
    } else if (c) {
      $('conv-title').textContent = c.kind === 'im' ? c.name + ' (direct message)' : '# ' + c.name;
      if (!c.messages.length) list.appendChild(el('p', 'empty', 'No messages yet.'));
      c.messages.forEach(function (m) { list.appendChild(Messages.message(c, m, false, ui)); });
      if (atBottom || list.dataset.conversation !== c.id) list.scrollTop = list.scrollHeight;
      list.dataset.conversation = c.id;
    }
    var readOnly = current === 'home' || (c && c.readOnly);
    $('composer').hidden = Boolean(readOnly);
    $('readonly-note').hidden = !(c && c.readOnly);
    $('composer-input').placeholder = c ? 'Message ' + (c.kind === 'im' ? c.name : '#' + c.name) + ' \u2014 try /apikey create' : '';
  }

  function modal() {
    if (!snap.modal) return window.SandboxModal.hide();
    var id = snap.modal.id;
    window.SandboxModal.render(snap.modal, {
      names: snap.names,
      change: function (blockId, element, input, dispatch) {
        var values = {};
        values[blockId] = {};
        values[blockId][element.action_id] = input;
        if (!dispatch) return post('input', { view_id: id, values: values });
        var body = { view_id: id, block_id: blockId, action_id: element.action_id };
        Object.keys(input).forEach(function (k) { body[k] = input[k]; });
        return post('action', body);
      },
      suggest: function (blockId, actionId, value) { return post('suggest', { view_id: id, block_id: blockId, action_id: actionId, value: value }); },
      submit: function (values) { return post('submit', { view_id: id, values: values }); },
      close: function () { return post('close', { view_id: id }); },
    });
  }

  function draw() {
    if (!snap) return;
    if (!current || (current !== 'home' && !conversation(current))) current = snap.conversations[0].id;
    $('team-name').textContent = snap.team.name;
    document.body.dataset.me = snap.me.id;
    document.body.dataset.view = current;
    sidebar();
    problems();
    main();
    Messages.thread(conversation(current), thread, ui);
    modal();
  }

  var loading = null;
  var again = false;
  function load() {
    if (loading) {
      again = true;
      return loading;
    }
    loading = fetch('/sandbox/state?user=' + encodeURIComponent(me)).then(function (r) { return r.json(); }).then(function (s) {
      snap = s;
      draw();
    }).catch(function (err) { toast('Could not load the workspace: ' + err.message); }).then(function () {
      loading = null;
      if (again) {
        again = false;
        load();
      }
    });
    return loading;
  }

  function go(id) {
    current = id;
    thread = null;
    var url = new URLSearchParams({ as: me, c: id });
    window.history.replaceState(null, '', '?' + url.toString());
    var c = conversation(id);
    if (id === 'home') post('home', { tab: 'home' });
    else if (c && c.kind === 'im') post('home', { tab: 'messages' });
    draw();
  }

  function people() {
    var select = $('person');
    fetch('/sandbox/state?user=' + encodeURIComponent(me)).then(function (r) { return r.json(); }).then(function (s) {
      select.textContent = '';
      s.people.forEach(function (p) {
        var o = el('option', null, p.name + (p.role ? ' (' + p.role + ')' : ''));
        o.value = p.id;
        o.selected = p.id === me;
        select.appendChild(o);
      });
    });
    select.addEventListener('change', function () {
      me = select.value;
      thread = null;
      window.SandboxModal.hide();
      window.history.replaceState(null, '', '?' + new URLSearchParams({ as: me, c: current || '' }).toString());
      load().then(function () { if (current === 'home') post('home', { tab: 'home' }); });
    });
  }

  $('composer').addEventListener('submit', function (e) {
    e.preventDefault();
    var input = $('composer-input');
    var text = input.value.trim();
    if (!text) return;
    input.value = '';
    if (text.charAt(0) === '/') post('command', { channel: current, text: text });
    else post('message', { channel: current, text: text });
  });
  $('composer-input').addEventListener('keydown', function (e) {
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      $('composer').requestSubmit();
    }
  });
  $('open-home').addEventListener('click', function () { go('home'); });
  $('thread-close').addEventListener('click', function () {
    thread = null;
    draw();
  });

  people();
  load();
  var events = new EventSource('/sandbox/events');
  var pending = null;
  events.addEventListener('change', function () {
    clearTimeout(pending);
    pending = setTimeout(load, 20);
  });
  events.addEventListener('open', function () { load(); });
})();
