/**
 * Slack's Block Kit limits (the table in shared/slack/FACTS.md, and the element rules Slack
 * enforces), checked the way Slack reports them: one message per problem with a JSON pointer,
 * e.g. "must be less than 3001 characters [json-pointer:/blocks/2/text/text]". Messages answer
 * `invalid_blocks`, views `invalid_arguments` (workspace-api.ts).
 */
type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => Boolean(v) && typeof v === 'object' && !Array.isArray(v);
const chars = (s: string) => [...s].length;

const BLOCK_TYPES = new Set(['section', 'header', 'context', 'divider', 'actions', 'input', 'image', 'rich_text', 'markdown', 'file', 'video']);
const INPUT_ELEMENTS = new Set([
  'plain_text_input', 'static_select', 'external_select', 'multi_static_select', 'multi_external_select', 'checkboxes',
  'radio_buttons', 'datepicker', 'timepicker', 'users_select', 'multi_users_select', 'conversations_select', 'channels_select', 'number_input', 'email_text_input', 'url_text_input',
]);

class Checker {
  readonly errors: string[] = [];

  fail(pointer: string, message: string) {
    this.errors.push(`${message} [json-pointer:${pointer}]`);
  }

  text(value: unknown, pointer: string, max: number, options: { plain?: boolean } = {}) {
    if (!isObj(value)) return this.fail(pointer, 'must provide an object');
    if (value.type !== 'plain_text' && value.type !== 'mrkdwn') this.fail(`${pointer}/type`, 'must be one of: plain_text, mrkdwn');
    else if (options.plain && value.type !== 'plain_text') this.fail(`${pointer}/type`, 'must be plain_text');
    if (typeof value.text !== 'string' || value.text.length === 0) return this.fail(`${pointer}/text`, 'must be more than 0 characters');
    if (chars(value.text) > max) this.fail(`${pointer}/text`, `must be less than ${max + 1} characters`);
  }

  id(value: unknown, pointer: string) {
    if (value === undefined) return;
    if (typeof value !== 'string' || value.length === 0) this.fail(pointer, 'must be a non-empty string');
    else if (chars(value) > 255) this.fail(pointer, 'must be less than 256 characters');
  }

  option(o: unknown, pointer: string) {
    if (!isObj(o)) return this.fail(pointer, 'must provide an object');
    this.text(o.text, `${pointer}/text`, 75);
    if (typeof o.value !== 'string' || o.value.length === 0) this.fail(`${pointer}/value`, 'must be more than 0 characters');
    else if (chars(o.value) > 75) this.fail(`${pointer}/value`, 'must be less than 76 characters');
  }

  options(element: Obj, pointer: string, required: boolean) {
    const { options, option_groups: groups } = element;
    if (options !== undefined && groups !== undefined) this.fail(pointer, 'must provide either options or option_groups, not both');
    if (Array.isArray(options)) {
      if (options.length > 100) this.fail(`${pointer}/options`, 'must provide no more than 100 items');
      options.forEach((o, i) => this.option(o, `${pointer}/options/${i}`));
    } else if (Array.isArray(groups)) {
      if (groups.length > 100) this.fail(`${pointer}/option_groups`, 'must provide no more than 100 items');
      groups.forEach((g, i) => {
        this.text(isObj(g) ? g.label : undefined, `${pointer}/option_groups/${i}/label`, 75, { plain: true });
        const list = isObj(g) && Array.isArray(g.options) ? g.options : [];
        if (list.length > 100) this.fail(`${pointer}/option_groups/${i}/options`, 'must provide no more than 100 items');
        list.forEach((o, j) => this.option(o, `${pointer}/option_groups/${i}/options/${j}`));
      });
    } else if (required) this.fail(pointer, 'must provide options or option_groups');
  }

  confirm(value: unknown, pointer: string) {
    if (!isObj(value)) return this.fail(pointer, 'must provide an object');
    this.text(value.title, `${pointer}/title`, 100, { plain: true });
    this.text(value.text, `${pointer}/text`, 300);
    this.text(value.confirm, `${pointer}/confirm`, 30, { plain: true });
    this.text(value.deny, `${pointer}/deny`, 30, { plain: true });
  }

  element(e: unknown, pointer: string) {
    if (!isObj(e)) return this.fail(pointer, 'must provide an object');
    this.id(e.action_id, `${pointer}/action_id`);
    if (e.placeholder !== undefined) this.text(e.placeholder, `${pointer}/placeholder`, 150, { plain: true });
    if (e.confirm !== undefined) this.confirm(e.confirm, `${pointer}/confirm`);
    switch (e.type) {
      case 'button':
        this.text(e.text, `${pointer}/text`, 75, { plain: true });
        if (typeof e.value === 'string' && chars(e.value) > 2000) this.fail(`${pointer}/value`, 'must be less than 2001 characters');
        if (e.style !== undefined && e.style !== 'primary' && e.style !== 'danger') this.fail(`${pointer}/style`, 'must be one of: primary, danger');
        return;
      case 'plain_text_input': {
        const max = e.max_length;
        if (max !== undefined && (typeof max !== 'number' || max < 1 || max > 3000)) this.fail(`${pointer}/max_length`, 'must be between 1 and 3000');
        if (typeof e.initial_value === 'string' && typeof max === 'number' && chars(e.initial_value) > max) this.fail(`${pointer}/initial_value`, `must be less than ${max + 1} characters`);
        return;
      }
      case 'static_select':
      case 'multi_static_select':
      case 'checkboxes':
      case 'radio_buttons':
        this.options(e, pointer, true);
        if (e.type !== 'static_select' && Array.isArray(e.options) && e.options.length > 10 && e.type !== 'multi_static_select') {
          this.fail(`${pointer}/options`, 'must provide no more than 10 items');
        }
        break;
      case 'external_select':
      case 'multi_external_select':
        if (e.min_query_length !== undefined && (typeof e.min_query_length !== 'number' || e.min_query_length < 0)) this.fail(`${pointer}/min_query_length`, 'must be a number >= 0');
        break;
      default:
        if (typeof e.type !== 'string') this.fail(`${pointer}/type`, 'must provide a string');
        return;
    }
    if (e.initial_option !== undefined) this.option(e.initial_option, `${pointer}/initial_option`);
    if (Array.isArray(e.initial_options)) {
      if (e.initial_options.length > 100) this.fail(`${pointer}/initial_options`, 'must provide no more than 100 items');
      e.initial_options.forEach((o, i) => this.option(o, `${pointer}/initial_options/${i}`));
    }
  }

  block(b: unknown, pointer: string, seen: Set<string>) {
    if (!isObj(b)) return this.fail(pointer, 'must provide an object');
    if (typeof b.type !== 'string' || !BLOCK_TYPES.has(b.type)) return this.fail(`${pointer}/type`, `unsupported block type "${String(b.type)}"`);
    this.id(b.block_id, `${pointer}/block_id`);
    if (typeof b.block_id === 'string') {
      if (seen.has(b.block_id)) this.fail(`${pointer}/block_id`, `duplicate block_id "${b.block_id}"`);
      seen.add(b.block_id);
    }
    switch (b.type) {
      case 'header':
        return this.text(b.text, `${pointer}/text`, 150, { plain: true });
      case 'section':
        if (b.text === undefined && b.fields === undefined) this.fail(pointer, 'must provide text or fields');
        if (b.text !== undefined) this.text(b.text, `${pointer}/text`, 3000);
        if (b.fields !== undefined) {
          if (!Array.isArray(b.fields)) return this.fail(`${pointer}/fields`, 'must provide an array');
          if (b.fields.length > 10) this.fail(`${pointer}/fields`, 'must provide no more than 10 items');
          b.fields.forEach((f, i) => this.text(f, `${pointer}/fields/${i}`, 2000));
        }
        if (b.accessory !== undefined) this.element(b.accessory, `${pointer}/accessory`);
        return;
      case 'context': {
        const elements = Array.isArray(b.elements) ? b.elements : [];
        if (elements.length === 0 || elements.length > 10) this.fail(`${pointer}/elements`, 'must provide between 1 and 10 items');
        elements.forEach((e, i) => (isObj(e) && e.type === 'image' ? undefined : this.text(e, `${pointer}/elements/${i}`, 3000)));
        return;
      }
      case 'actions': {
        const elements = Array.isArray(b.elements) ? b.elements : [];
        if (elements.length === 0 || elements.length > 25) this.fail(`${pointer}/elements`, 'must provide between 1 and 25 items');
        const ids = new Set<string>();
        elements.forEach((e, i) => {
          this.element(e, `${pointer}/elements/${i}`);
          const id = isObj(e) ? e.action_id : undefined;
          if (typeof id === 'string' && ids.has(id)) this.fail(`${pointer}/elements/${i}/action_id`, `duplicate action_id "${id}"`);
          if (typeof id === 'string') ids.add(id);
        });
        return;
      }
      case 'input':
        this.text(b.label, `${pointer}/label`, 2000, { plain: true });
        if (b.hint !== undefined) this.text(b.hint, `${pointer}/hint`, 2000, { plain: true });
        if (!isObj(b.element) || !INPUT_ELEMENTS.has(String(b.element.type))) return this.fail(`${pointer}/element`, 'must provide an input element');
        return this.element(b.element, `${pointer}/element`);
      default:
        return;
    }
  }

  blocks(blocks: unknown, pointer: string, max: number) {
    if (!Array.isArray(blocks)) return this.fail(pointer, 'must provide an array');
    if (blocks.length > max) this.fail(pointer, `must provide no more than ${max} items`);
    const seen = new Set<string>();
    blocks.forEach((b, i) => this.block(b, `${pointer}/${i}`, seen));
  }
}

/** Problems with a message's blocks (50 at most) and text. */
export function checkMessage(args: { text?: unknown; blocks?: unknown }): string[] {
  const c = new Checker();
  if (args.blocks !== undefined) c.blocks(args.blocks, '/blocks', 50);
  if (typeof args.text === 'string' && chars(args.text) > 40_000) c.fail('/text', 'must be less than 40001 characters');
  return c.errors;
}

/** Problems with a modal or Home tab view. */
export function checkView(view: unknown, expected: 'modal' | 'home'): string[] {
  const c = new Checker();
  if (!isObj(view)) return ['must provide an object [json-pointer:/view]'];
  if (view.type !== expected) c.fail('/view/type', `must be ${expected}`);
  c.blocks(view.blocks, '/view/blocks', 100);
  c.id(view.callback_id, '/view/callback_id');
  c.id(view.external_id, '/view/external_id');
  if (typeof view.private_metadata === 'string' && chars(view.private_metadata) > 3000) c.fail('/view/private_metadata', 'must be less than 3001 characters');
  if (expected === 'modal') {
    c.text(view.title, '/view/title', 24, { plain: true });
    if (view.submit !== undefined) c.text(view.submit, '/view/submit', 24, { plain: true });
    if (view.close !== undefined) c.text(view.close, '/view/close', 24, { plain: true });
    const hasInput = Array.isArray(view.blocks) && view.blocks.some((b) => isObj(b) && b.type === 'input');
    if (hasInput && view.submit === undefined) c.fail('/view/submit', 'must provide submit when the view has input blocks');
  }
  return c.errors;
}

/** Problems with an options load answer (block_suggestion ack). */
export function checkOptionsAnswer(answer: unknown): string[] {
  const c = new Checker();
  if (!isObj(answer)) return ['must provide an object [json-pointer:/]'];
  c.options(answer, '', true);
  return c.errors;
}
