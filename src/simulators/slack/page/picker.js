/* global window, setTimeout, clearTimeout */
/*
 * The select menus: static_select and external_select (one option), multi_static_select and
 * multi_external_select (chips). External ones ask the bot through the simulator
 * (block_suggestion) once the typed text reaches min_query_length (Slack's default: 3).
 */
(function () {
  'use strict';
  var M = window.Mrkdwn;
  var el = M.el;
  var uid = 0;

  function flatten(options, groups) {
    var out = [];
    (options || []).forEach(function (o) { out.push({ option: o, group: null }); });
    (groups || []).forEach(function (g) {
      (g.options || []).forEach(function (o) { out.push({ option: o, group: M.plain(g.label) }); });
    });
    return out;
  }

  /**
   * element: the Block Kit element; selected: the options chosen now; labelId: the label's id;
   * onChange(selectedOptions); suggest(text) -> Promise<{options, optionGroups}> for external menus.
   */
  function picker(element, selected, labelId, onChange, suggest) {
    var multi = element.type.indexOf('multi_') === 0;
    var external = element.type.indexOf('external') >= 0;
    var minQuery = typeof element.min_query_length === 'number' ? element.min_query_length : 3;
    var chosen = (selected || []).slice();
    var listId = 'picker-list-' + ++uid;
    var root = el('div', 'picker' + (multi ? ' picker-multi' : ''));
    var chips = el('div', 'picker-chips');
    var input = el('input', 'picker-input');
    input.type = 'text';
    input.autocomplete = 'off';
    input.setAttribute('role', 'combobox');
    input.setAttribute('aria-expanded', 'false');
    input.setAttribute('aria-controls', listId);
    if (labelId) input.setAttribute('aria-labelledby', labelId);
    input.placeholder = M.plain(element.placeholder) || 'Select an option';
    var list = el('ul', 'picker-list');
    list.id = listId;
    list.setAttribute('role', 'listbox');
    list.hidden = true;
    var status = el('div', 'picker-status');
    root.appendChild(chips);
    root.appendChild(input);
    root.appendChild(status);
    root.appendChild(list);
    var timer = null;
    var asked = 0;

    function drawChosen() {
      chips.textContent = '';
      if (!multi) {
        input.value = chosen[0] ? M.plain(chosen[0].text) : '';
        return;
      }
      chosen.forEach(function (o, i) {
        var chip = el('span', 'chip', M.plain(o.text));
        var remove = el('button', 'chip-remove', '\u00D7');
        remove.type = 'button';
        remove.setAttribute('aria-label', 'Remove ' + M.plain(o.text));
        remove.addEventListener('click', function () {
          chosen.splice(i, 1);
          drawChosen();
          onChange(chosen.slice());
        });
        chip.appendChild(remove);
        chips.appendChild(chip);
      });
    }

    function show(options, groups, note) {
      list.textContent = '';
      status.textContent = note || '';
      var items = flatten(options, groups).filter(function (x) {
        return !chosen.some(function (c) { return c.value === x.option.value; }) || !multi;
      });
      var lastGroup = null;
      items.forEach(function (x) {
        if (x.group !== null && x.group !== lastGroup) {
          var header = el('li', 'picker-group', x.group);
          header.setAttribute('role', 'presentation');
          list.appendChild(header);
          lastGroup = x.group;
        }
        var item = el('li', 'picker-option', M.plain(x.option.text));
        item.setAttribute('role', 'option');
        item.tabIndex = -1;
        item.addEventListener('mousedown', function (e) {
          e.preventDefault();
          chosen = multi ? chosen.concat([x.option]) : [x.option];
          close();
          drawChosen();
          if (multi) input.value = '';
          onChange(chosen.slice());
        });
        list.appendChild(item);
      });
      if (items.length === 0 && !note) status.textContent = 'No results';
      list.hidden = items.length === 0;
      input.setAttribute('aria-expanded', String(!list.hidden));
    }

    function close() {
      // A search still waiting (typed just before the pick or the blur) must not reopen the list.
      clearTimeout(timer);
      asked++;
      list.hidden = true;
      status.textContent = '';
      input.setAttribute('aria-expanded', 'false');
    }

    function query() {
      var text = input.value;
      if (!external) {
        var needle = text.toLowerCase();
        var keep = function (o) { return M.plain(o.text).toLowerCase().indexOf(needle) >= 0; };
        var groups = (element.option_groups || []).map(function (g) { return { label: g.label, options: (g.options || []).filter(keep) }; });
        return show((element.options || []).filter(keep), groups);
      }
      if (Array.from(text).length < minQuery) return show([], [], 'Type at least ' + minQuery + ' characters to search');
      var mine = ++asked;
      status.textContent = 'Searching\u2026';
      suggest(text).then(function (answer) {
        if (mine !== asked) return;
        show(answer.options || [], answer.optionGroups || [], answer.ok === false ? 'No results (' + (answer.error || 'error') + ')' : '');
      });
    }

    input.addEventListener('focus', function () {
      if (!multi) input.value = '';
      query();
    });
    input.addEventListener('input', function () {
      clearTimeout(timer);
      timer = setTimeout(query, external ? 200 : 0);
    });
    input.addEventListener('blur', function () {
      setTimeout(function () {
        close();
        if (!multi) drawChosen();
      }, 150);
    });
    input.addEventListener('keydown', function (e) {
      if (e.key === 'Escape') close();
      if (e.key === 'Enter') {
        e.preventDefault();
        var first = list.querySelector('.picker-option');
        if (first) first.dispatchEvent(new window.MouseEvent('mousedown'));
      }
    });
    drawChosen();
    return { node: root, input: input, get: function () { return chosen.slice(); } };
  }

  window.Picker = { picker: picker };
})();
