/* global window, setTimeout, clearTimeout */
/*
 * Block Kit to DOM: header, section (text, fields, accessory), context, divider, actions, input
 * (plain_text_input single and multiline, number_input, static/external/multi selects, checkboxes, radio
 * buttons), image (alt text only: the page loads nothing from elsewhere), buttons with style and
 * confirm dialogs. Text only through text nodes (mrkdwn.js).
 *
 * ctx: { names, values, errors, prefix, change(blockId, element, input, dispatch),
 *        suggest(blockId, actionId, text) -> Promise, register(blockId, actionId, get) }
 */
(function () {
  'use strict';
  var M = window.Mrkdwn;
  var el = M.el;

  function text(obj, ctx, className) {
    var node = el('div', className);
    node.appendChild(M.textObject(obj, ctx.names));
    return node;
  }

  function option(o) {
    return { value: o.value, text: M.plain(o.text) };
  }

  function button(blockId, element, ctx) {
    var b = el('button', 'btn' + (element.style ? ' btn-' + element.style : ''), M.plain(element.text));
    b.type = 'button';
    b.dataset.actionId = element.action_id || '';
    b.addEventListener('click', function () {
      var go = function () {
        if (element.url && /^https?:/i.test(element.url)) window.open(element.url, '_blank', 'noopener,noreferrer');
        ctx.change(blockId, element, { value: element.value }, true);
      };
      if (element.confirm) window.SandboxModal.confirm(element.confirm, ctx.names).then(function (ok) { if (ok) go(); });
      else go();
    });
    return b;
  }

  function stateOf(ctx, blockId, element) {
    return (ctx.values && ctx.values[blockId] && ctx.values[blockId][element.action_id]) || null;
  }

  /** An interactive element. `inInput`: inside an input block (dispatched only with dispatch_action). */
  function element(blockId, e, ctx, inInput, dispatch, labelId) {
    var state = inInput ? stateOf(ctx, blockId, e) : null;
    var fieldId = ctx.prefix + '-' + blockId + '-' + (e.action_id || '');
    switch (e.type) {
      case 'button':
        return button(blockId, e, ctx);
      case 'number_input':
      case 'plain_text_input': {
        var number = e.type === 'number_input';
        var input = el(e.multiline && !number ? 'textarea' : 'input', 'text-input');
        if (number) {
          input.type = 'number';
          input.step = e.is_decimal_allowed ? 'any' : '1';
          if (e.min_value) input.min = e.min_value;
          if (e.max_value) input.max = e.max_value;
        } else if (!e.multiline) input.type = 'text';
        input.id = fieldId;
        if (typeof e.max_length === 'number') input.maxLength = e.max_length;
        input.placeholder = M.plain(e.placeholder);
        input.value = state ? state.value || '' : e.initial_value || '';
        var timer = null;
        input.addEventListener('input', function () {
          clearTimeout(timer);
          timer = setTimeout(function () { ctx.change(blockId, e, { value: input.value }, false); }, 150);
        });
        input.addEventListener('keydown', function (ev) {
          if (dispatch && !e.multiline && ev.key === 'Enter') {
            ev.preventDefault();
            ctx.change(blockId, e, { value: input.value }, true);
          }
        });
        ctx.register(blockId, e.action_id, function () { return { value: input.value }; });
        return input;
      }
      case 'checkboxes':
      case 'radio_buttons': {
        var box = el('div', 'choices');
        box.setAttribute('role', e.type === 'checkboxes' ? 'group' : 'radiogroup');
        if (labelId) box.setAttribute('aria-labelledby', labelId);
        var initial = state ? state.selected_options || (state.selected_option ? [state.selected_option] : []) : e.initial_options || (e.initial_option ? [e.initial_option] : []);
        var inputs = (e.options || []).map(function (o, i) {
          var row = el('label', 'choice');
          var c = el('input');
          c.type = e.type === 'checkboxes' ? 'checkbox' : 'radio';
          c.name = fieldId;
          c.id = fieldId + '-' + i;
          c.checked = initial.some(function (x) { return x.value === o.value; });
          row.appendChild(c);
          row.appendChild(text(o.text, ctx, 'choice-text'));
          if (o.description) row.appendChild(text(o.description, ctx, 'choice-description'));
          box.appendChild(row);
          return { box: c, option: o };
        });
        var picked = function () {
          var on = inputs.filter(function (x) { return x.box.checked; }).map(function (x) { return option(x.option); });
          return e.type === 'checkboxes' ? { options: on } : { option: on[0] };
        };
        inputs.forEach(function (x) {
          x.box.addEventListener('change', function () { ctx.change(blockId, e, picked(), dispatch); });
        });
        ctx.register(blockId, e.action_id, picked);
        return box;
      }
      case 'static_select':
      case 'external_select':
      case 'multi_static_select':
      case 'multi_external_select': {
        var multi = e.type.indexOf('multi_') === 0;
        var chosen = state ? state.selected_options || (state.selected_option ? [state.selected_option] : []) : e.initial_options || (e.initial_option ? [e.initial_option] : []);
        var value = function (list) {
          return multi ? { options: list.map(option) } : { option: list[0] ? option(list[0]) : undefined };
        };
        var p = window.Picker.picker(e, chosen, labelId, function (list) {
          ctx.change(blockId, e, value(list), dispatch);
        }, function (q) { return ctx.suggest(blockId, e.action_id, q); });
        p.input.id = fieldId;
        ctx.register(blockId, e.action_id, function () { return value(p.get()); });
        return p.node;
      }
      default:
        return el('span', 'unsupported', '[element ' + String(e.type) + ' is not simulated]');
    }
  }

  function block(b, ctx) {
    var id = b.block_id || '';
    var node;
    switch (b.type) {
      case 'header':
        node = el('h3', 'block-header', M.plain(b.text));
        break;
      case 'section':
        node = el('div', 'block-section');
        var body = el('div', 'section-body');
        if (b.text) body.appendChild(text(b.text, ctx, 'section-text'));
        if (Array.isArray(b.fields)) {
          var fields = el('div', 'section-fields');
          b.fields.forEach(function (f) { fields.appendChild(text(f, ctx, 'section-field')); });
          body.appendChild(fields);
        }
        node.appendChild(body);
        if (b.accessory) node.appendChild(element(id, b.accessory, ctx, false, true));
        break;
      case 'context':
        node = el('div', 'block-context');
        (b.elements || []).forEach(function (e) {
          node.appendChild(e.type === 'image' ? el('span', 'image-alt', '[' + (e.alt_text || 'image') + ']') : text(e, ctx, 'context-item'));
        });
        break;
      case 'divider':
        node = el('hr', 'block-divider');
        break;
      case 'actions':
        node = el('div', 'block-actions');
        (b.elements || []).forEach(function (e) { node.appendChild(element(id, e, ctx, false, true)); });
        break;
      case 'image':
        node = el('div', 'block-image', '[image: ' + (b.alt_text || '') + ']');
        break;
      case 'input': {
        node = el('div', 'block-input' + (ctx.errors && ctx.errors[id] ? ' has-error' : ''));
        var labelId = ctx.prefix + '-label-' + id;
        var label = el('label', 'input-label', M.plain(b.label));
        label.id = labelId;
        label.htmlFor = ctx.prefix + '-' + id + '-' + ((b.element && b.element.action_id) || '');
        if (b.optional) label.appendChild(el('span', 'optional', ' (optional)'));
        node.appendChild(label);
        if (b.element) node.appendChild(element(id, b.element, ctx, true, b.dispatch_action === true, labelId));
        if (ctx.errors && ctx.errors[id]) {
          var error = el('div', 'input-error', ctx.errors[id]);
          error.setAttribute('role', 'alert');
          node.appendChild(error);
        }
        if (b.hint) node.appendChild(el('div', 'input-hint', M.plain(b.hint)));
        break;
      }
      default:
        node = el('div', 'unsupported', '[block ' + String(b.type) + ' is not simulated]');
    }
    if (id) node.dataset.blockId = id;
    return node;
  }

  function render(blocks, ctx) {
    var root = el('div', 'blocks');
    (blocks || []).forEach(function (b) { if (b && typeof b === 'object') root.appendChild(block(b, ctx)); });
    return root;
  }

  window.Blocks = { render: render, text: text };
})();
