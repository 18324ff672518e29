/* global window, document */
/*
 * The modal on top of the current person's stack (title, ×, blocks, inline errors, Slack's own
 * "trouble connecting" error, close and submit buttons) and the confirm dialogs of buttons.
 * It is redrawn only when the view changes (id, hash, errors), so typing is never interrupted.
 */
(function () {
  'use strict';
  var M = window.Mrkdwn;
  var el = M.el;
  var drawnKey = null;
  var getters = {};

  function hide() {
    var root = document.getElementById('modal-root');
    root.textContent = '';
    drawnKey = null;
    getters = {};
  }

  /** Every current value of the modal's inputs, as the page sends them. */
  function values() {
    var out = {};
    Object.keys(getters).forEach(function (blockId) {
      out[blockId] = {};
      Object.keys(getters[blockId]).forEach(function (actionId) { out[blockId][actionId] = getters[blockId][actionId](); });
    });
    return out;
  }

  /**
   * modal: the snapshot's modal ({id, hash, depth, view, values, errors, appError}).
   * handlers: { names, change, suggest, submit(values), close() }
   */
  function render(modal, handlers) {
    var key = modal.id + '|' + modal.hash + '|' + JSON.stringify(modal.errors) + '|' + modal.appError;
    if (key === drawnKey) return;
    var focused = document.activeElement && document.activeElement.id;
    hide();
    drawnKey = key;
    var view = modal.view || {};
    var root = document.getElementById('modal-root');
    var backdrop = el('div', 'modal-backdrop');
    var dialog = el('div', 'modal');
    dialog.setAttribute('role', 'dialog');
    dialog.setAttribute('aria-modal', 'true');
    dialog.setAttribute('aria-labelledby', 'modal-title');
    dialog.dataset.viewId = modal.id;
    dialog.dataset.callbackId = view.callback_id || '';

    var header = el('div', 'modal-header');
    var title = el('h2', 'modal-title', M.plain(view.title));
    title.id = 'modal-title';
    header.appendChild(title);
    header.appendChild(el('span', 'sandbox-tag', 'sandbox'));
    if (modal.depth > 1) header.appendChild(el('span', 'modal-depth', 'view ' + modal.depth + ' of ' + modal.depth));
    var x = el('button', 'modal-x', '\u00D7');
    x.type = 'button';
    x.setAttribute('aria-label', 'Close');
    x.addEventListener('click', handlers.close);
    header.appendChild(x);
    dialog.appendChild(header);

    var body = el('div', 'modal-body');
    body.appendChild(window.Blocks.render(view.blocks, {
      names: handlers.names,
      values: modal.values,
      errors: modal.errors,
      prefix: 'modal-' + modal.id,
      change: handlers.change,
      suggest: handlers.suggest,
      register: function (blockId, actionId, get) {
        (getters[blockId] = getters[blockId] || {})[actionId] = get;
      },
    }));
    dialog.appendChild(body);
    if (modal.appError) {
      var problem = el('div', 'modal-app-error', modal.appError);
      problem.setAttribute('role', 'alert');
      dialog.appendChild(problem);
    }

    var footer = el('div', 'modal-footer');
    var close = el('button', 'btn', view.close ? M.plain(view.close) : 'Close');
    close.type = 'button';
    close.addEventListener('click', handlers.close);
    footer.appendChild(close);
    if (view.submit) {
      var submit = el('button', 'btn btn-primary', M.plain(view.submit));
      submit.type = 'button';
      submit.addEventListener('click', function () {
        submit.disabled = true;
        handlers.submit(values()).then(function () { submit.disabled = false; });
      });
      footer.appendChild(submit);
    }
    dialog.appendChild(footer);
    backdrop.appendChild(dialog);
    root.appendChild(backdrop);
    var again = focused && document.getElementById(focused);
    if (again) again.focus();
    else {
      var first = dialog.querySelector('.modal-body input, .modal-body textarea');
      if (first) first.focus();
    }
  }

  /** A button's confirm object as Slack's dialog; resolves true when confirmed. */
  function confirm(c, names) {
    return new Promise(function (resolve) {
      var backdrop = el('div', 'modal-backdrop confirm-backdrop');
      var dialog = el('div', 'modal confirm');
      dialog.setAttribute('role', 'alertdialog');
      dialog.setAttribute('aria-labelledby', 'confirm-title');
      var title = el('h2', 'modal-title', M.plain(c.title) || 'Are you sure?');
      title.id = 'confirm-title';
      title.appendChild(el('span', 'sandbox-tag', 'sandbox'));
      dialog.appendChild(title);
      dialog.appendChild(window.Blocks.text(c.text, { names: names }, 'confirm-text'));
      var footer = el('div', 'modal-footer');
      var done = function (ok) {
        backdrop.remove();
        resolve(ok);
      };
      var deny = el('button', 'btn', M.plain(c.deny) || 'Cancel');
      deny.type = 'button';
      deny.addEventListener('click', function () { done(false); });
      var yes = el('button', 'btn ' + (c.style === 'danger' ? 'btn-danger' : 'btn-primary'), M.plain(c.confirm) || 'Yes');
      yes.type = 'button';
      yes.addEventListener('click', function () { done(true); });
      footer.appendChild(deny);
      footer.appendChild(yes);
      dialog.appendChild(footer);
      backdrop.appendChild(dialog);
      document.body.appendChild(backdrop);
      yes.focus();
    });
  }

  window.SandboxModal = { render: render, hide: hide, confirm: confirm, values: values };
})();
