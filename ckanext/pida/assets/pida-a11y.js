/* ckanext-pida: names for the select2 boxes (autocomplete fields) that CKAN's modules build, so that a screen
 * reader announces "Palabras clave" rather than an unnamed combobox. The label of the original field names it. */
(function () {
  'use strict';
  function nameSelect2Boxes(root) {
    var boxes = (root || document).querySelectorAll('.select2-container .select2-selection:not([aria-label])');
    Array.prototype.forEach.call(boxes, function (box) {
      var container = box.closest('.select2-container');
      var original = container && container.previousElementSibling;
      var label = original && original.id && document.querySelector('label[for="' + original.id + '"]');
      if (label) {
        box.setAttribute('aria-label', label.textContent.replace(/[*:]/g, '').trim());
        var search = container.querySelector('.select2-search__field');
        if (search && !search.getAttribute('aria-label')) {
          search.setAttribute('aria-label', box.getAttribute('aria-label'));
        }
      }
    });
  }
  /* The boxes of a repeated text field (several URLs): "Documentación 1", "Documentación 2"... */
  function nameRepeatedTexts(root) {
    var groups = (root || document).querySelectorAll('.multiple-text-group');
    Array.prototype.forEach.call(groups, function (group) {
      var block = group.closest('.form-group');
      var label = block && block.querySelector('label');
      if (!label) { return; }
      var name = label.textContent.replace(/[*:]/g, '').trim();
      Array.prototype.forEach.call(group.querySelectorAll('input'), function (input, i) {
        if (input.getAttribute('aria-label') !== name + ' ' + (i + 1)) {
          input.setAttribute('aria-label', name + ' ' + (i + 1));
        }
      });
    });
  }
  function nameAll() { nameSelect2Boxes(document); nameRepeatedTexts(document); }
  document.addEventListener('DOMContentLoaded', function () {
    nameAll();
    new MutationObserver(nameAll)
      .observe(document.body, {childList: true, subtree: true});
  });
}());

/* Review queue of the hub: a "select all" box checks every item of its form (the queue works without it: each
 * item has its own checkbox and its own buttons). */
(function () {
  'use strict';
  document.addEventListener('change', function (event) {
    var all = event.target.closest && event.target.closest('[data-pida-select-all]');
    if (!all) { return; }
    var form = all.form;
    Array.prototype.forEach.call(form.querySelectorAll('input[name="item"]'), function (box) {
      box.checked = all.checked;
    });
  });
}());
