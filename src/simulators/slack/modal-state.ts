/**
 * A modal's `state.values` as Slack keeps it: per input block, per action id, in the shape of
 * the element type (plain_text_input and number_input: `value`; selects: `selected_option`; multi selects and
 * checkboxes: `selected_options`). On views.update Slack keeps what a person entered in a block
 * whose block_id and action_id did not change and ignores its new initial value.
 */
export type ViewValues = Record<string, Record<string, StateValue>>;

export interface OptionObject {
  text: { type: string; text: string; emoji?: boolean };
  value: string;
  description?: unknown;
}

export interface StateValue {
  type: string;
  value?: string | null;
  selected_option?: OptionObject | null;
  selected_options?: OptionObject[];
}

export type Element = Record<string, unknown> & { type?: string; action_id?: string };
export type Block = Record<string, unknown> & { type?: string; block_id?: string };

const MULTI = new Set(['multi_static_select', 'multi_external_select', 'checkboxes', 'multi_users_select', 'multi_conversations_select', 'multi_channels_select']);
const SINGLE = new Set(['static_select', 'external_select', 'radio_buttons', 'users_select', 'conversations_select', 'channels_select']);
export const isMulti = (type: string | undefined) => MULTI.has(type ?? '');
export const isSingle = (type: string | undefined) => SINGLE.has(type ?? '');

const blocksOf = (blocks: unknown): Block[] => (Array.isArray(blocks) ? (blocks.filter((b) => b && typeof b === 'object') as Block[]) : []);

/** The element with `actionId` in block `blockId` (input element, actions element or section accessory). */
export function findElement(blocks: unknown, blockId: string, actionId: string): { block: Block; element: Element } | undefined {
  for (const block of blocksOf(blocks)) {
    if (block.block_id !== blockId) continue;
    const candidates = [block.element, block.accessory, ...(Array.isArray(block.elements) ? (block.elements as unknown[]) : [])];
    for (const element of candidates) {
      if (element && typeof element === 'object' && (element as Element).action_id === actionId) return { block, element: element as Element };
    }
  }
  return undefined;
}

/** Every option an element lists, groups flattened. */
export function optionsOf(element: Element): OptionObject[] {
  const groups = Array.isArray(element.option_groups) ? (element.option_groups as { options?: OptionObject[] }[]) : [];
  return [...(Array.isArray(element.options) ? (element.options as OptionObject[]) : []), ...groups.flatMap((g) => g.options ?? [])];
}

function initialValue(element: Element): StateValue {
  const type = element.type ?? 'unknown';
  if (type === 'plain_text_input' || type === 'number_input') return { type, value: typeof element.initial_value === 'string' && element.initial_value !== '' ? element.initial_value : null };
  if (isMulti(type)) return { type, selected_options: Array.isArray(element.initial_options) ? (element.initial_options as OptionObject[]) : [] };
  if (isSingle(type)) return { type, selected_option: (element.initial_option as OptionObject | undefined) ?? null };
  return { type, value: null };
}

/** State for a view's blocks: input elements start from their initial values, or keep `previous`. */
export function initialState(blocks: unknown, previous: ViewValues = {}): ViewValues {
  const values: ViewValues = {};
  for (const block of blocksOf(blocks)) {
    if (block.type !== 'input' || typeof block.block_id !== 'string') continue;
    const element = block.element as Element | undefined;
    if (!element?.action_id) continue;
    const kept = previous[block.block_id]?.[element.action_id];
    values[block.block_id] = { [element.action_id]: kept && kept.type === element.type ? kept : initialValue(element) };
  }
  return values;
}

/** What the page sends for one element: typed text, one option or several (by value, with text for external ones). */
export interface PageInput {
  value?: unknown;
  option?: unknown;
  options?: unknown;
}

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

/** The option as Slack has it: the element's own for static menus, the bot's suggestion for external ones. */
function resolveOption(element: Element, raw: unknown, suggested: OptionObject[]): OptionObject | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const value = str((raw as { value?: unknown }).value);
  if (value === undefined) return undefined;
  const known = [...optionsOf(element), ...suggested, ...((element.initial_options as OptionObject[] | undefined) ?? [])];
  const initial = element.initial_option as OptionObject | undefined;
  if (initial) known.push(initial);
  const found = known.find((o) => o.value === value);
  if (found) return found;
  if (!String(element.type).includes('external')) return undefined;
  const text = str((raw as { text?: unknown }).text) ?? value;
  return { text: { type: 'plain_text', text, emoji: true }, value };
}

/** Converts the page's input into Slack's state shape for this element. */
export function toStateValue(element: Element, input: PageInput, suggested: OptionObject[] = []): StateValue {
  const type = element.type ?? 'unknown';
  if (isMulti(type)) {
    const list = Array.isArray(input.options) ? input.options : [];
    return { type, selected_options: list.map((o) => resolveOption(element, o, suggested)).filter((o): o is OptionObject => Boolean(o)) };
  }
  if (isSingle(type)) return { type, selected_option: resolveOption(element, input.option, suggested) ?? null };
  const value = str(input.value);
  return { type, value: value === undefined || value === '' ? null : value };
}

const isEmpty = (v: StateValue | undefined) =>
  !v || (v.value === undefined || v.value === null) && !v.selected_option && !(v.selected_options && v.selected_options.length > 0);

/**
 * What Slack's client checks before it sends a view_submission: required inputs, and text
 * lengths. The bot never sees a submission that fails these.
 */
export function clientErrors(blocks: unknown, values: ViewValues): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const block of blocksOf(blocks)) {
    if (block.type !== 'input' || typeof block.block_id !== 'string') continue;
    const element = block.element as Element | undefined;
    const state = element?.action_id ? values[block.block_id]?.[element.action_id] : undefined;
    if (isEmpty(state)) {
      if (block.optional !== true) errors[block.block_id] = 'Please complete this required field.';
      continue;
    }
    const text = [...(state?.value ?? '')].length;
    const min = typeof element?.min_length === 'number' ? element.min_length : 0;
    const max = typeof element?.max_length === 'number' ? element.max_length : 3000;
    if (text > 0 && text < min) errors[block.block_id] = `Please enter at least ${min} characters.`;
    if (text > max) errors[block.block_id] = `Please enter ${max} characters or fewer.`;
  }
  return errors;
}
