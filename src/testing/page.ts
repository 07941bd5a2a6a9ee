/**
 * `loadPage()`: runs a `Page({...})` definition file in Node (jest or plain), the way a
 * mini-program opens a page, so a page written as the README writes it is testable as is.
 * miniprogram-simulate loads `Component()` files only; this is its `Page()` counterpart.
 */
import path from 'path';

/** What `Page()` receives. */
export type PageDefinition = Record<string, unknown> & { data?: Record<string, unknown> };

/** `this` inside a page's methods: its data, setData, and everything its definition holds. */
export interface PageInstance<D extends Record<string, unknown> = Record<string, any>> {
  /** The page's data: a copy of the definition's, changed only through setData(). */
  readonly data: D;
  /** The query onLoad received. */
  readonly options: Record<string, string>;
  /**
   * Sets data like a mini-program does: keys may be paths (`'a.b'`, `'list[0].x'`,
   * `` `list[${n}]` ``); values are copied (plain objects and arrays, deeply). The callback
   * runs after the data is set, on a promise callback.
   */
  setData(data: Record<string, unknown>, callback?: () => void): void;
  /** The `components` entry given to loadPage() for `selector`, or null. */
  selectComponent(selector: string): any;
  /** The page's own methods and fields. */
  [key: string]: any;
}

export interface LoadPageOptions {
  /** The page's query: onLoad receives it, `this.options` holds it. @default {} */
  query?: Record<string, string>;
  /**
   * What the global `getApp()` returns from now on. Without it, a `getApp` already defined
   * stays, and if there is none one returning `{ globalData: {} }` is defined.
   */
  app?: Record<string, unknown>;
  /**
   * What `this.selectComponent(selector)` returns, by selector. A component rendered with
   * miniprogram-simulate (`simulate.render(id)`, attached) may be given as is: the page gets
   * its `.instance`, and unload() detaches it, as a page's unload detaches its children.
   */
  components?: Record<string, unknown>;
}

export type PageState = 'shown' | 'hidden' | 'unloaded';

export interface TestPage<D extends Record<string, unknown> = Record<string, any>> {
  /** The page instance: `page.instance.send('hi')` calls the page's own method. */
  readonly instance: PageInstance<D>;
  /** Shortcut for `instance.data`. */
  readonly data: D;
  readonly state: PageState;
  /** The app goes to the background, or another page covers this one: onHide. */
  hide(): void;
  /** Back in front: onShow. */
  show(): void;
  /** The page closes: onUnload, then given simulate components are detached. Once only. */
  unload(): void;
}

/** Definitions by resolved file: a page file runs once (as in a mini-program); each load is a new instance. */
const definitions = new Map<string, PageDefinition>();

/**
 * Loads the `Page({...})` file at `file` (an absolute path; the extension may be left out)
 * and opens a page from it: `onLoad(query)`, `onShow()`, `onReady()`, in that order. While
 * the file runs, the global `Page` captures its definition and `getApp()` is defined (see
 * `options.app`); modules it requires are shared as usual (jest keeps them per test file,
 * so a manager created in `utils/socket.js` is the same one the test requires).
 *
 * The file runs the first time it is loaded (per jest module registry); later loads make new
 * instances of the same definition. Use `jest.isolateModules()` or `jest.resetModules()`
 * for a fresh run with fresh modules.
 */
export function loadPage<D extends Record<string, unknown> = Record<string, any>>(file: string, options: LoadPageOptions = {}): TestPage<D> {
  if (typeof file !== 'string' || !path.isAbsolute(file)) {
    throw new TypeError(`[wx-socket-manager] loadPage: the page file must be an absolute path (e.g. path.join(__dirname, 'pages/chat/index')), got ${JSON.stringify(file)}`);
  }
  defineGetApp(options.app);
  const definition = runPageFile(file);
  const components = options.components ?? {};
  const instance = createInstance<D>(definition, options.query ?? {}, components);
  let state: PageState = 'shown';
  const hook = (name: string, ...args: unknown[]): void => {
    const fn = instance[name];
    if (typeof fn === 'function') (fn as (...a: unknown[]) => unknown).apply(instance, args);
  };
  const alive = (action: string): void => {
    if (state === 'unloaded') throw new Error(`[wx-socket-manager] loadPage: ${action}() after unload()`);
  };
  hook('onLoad', instance.options);
  hook('onShow');
  hook('onReady');
  return {
    instance,
    get data() {
      return instance.data;
    },
    get state() {
      return state;
    },
    hide() {
      alive('hide');
      if (state === 'hidden') return;
      state = 'hidden';
      hook('onHide');
    },
    show() {
      alive('show');
      if (state === 'shown') return;
      state = 'shown';
      hook('onShow');
    },
    unload() {
      alive('unload');
      state = 'unloaded';
      hook('onUnload');
      for (const value of Object.values(components)) if (isRendered(value)) value.detach();
    },
  };
}

function runPageFile(file: string): PageDefinition {
  const resolved = require.resolve(file);
  const g = globalThis as { Page?: unknown };
  const hadPage = Object.prototype.hasOwnProperty.call(g, 'Page');
  const previousPage = g.Page;
  const current: { definition?: PageDefinition } = {};
  g.Page = (definition: unknown): void => {
    if (definition === null || typeof definition !== 'object') throw new TypeError('[wx-socket-manager] loadPage: Page() needs an object');
    current.definition = definition as PageDefinition;
  };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require(resolved);
  } finally {
    if (hadPage) g.Page = previousPage;
    else delete g.Page;
  }
  if (current.definition) definitions.set(resolved, current.definition);
  const definition = definitions.get(resolved);
  if (!definition) throw new Error(`[wx-socket-manager] loadPage: ${file} did not call Page({...})`);
  return definition;
}

function defineGetApp(app: Record<string, unknown> | undefined): void {
  const g = globalThis as { getApp?: unknown };
  if (app !== undefined) g.getApp = () => app;
  else if (typeof g.getApp !== 'function') {
    const fallback = { globalData: {} };
    g.getApp = () => fallback;
  }
}

function createInstance<D extends Record<string, unknown>>(definition: PageDefinition, query: Record<string, string>, components: Record<string, unknown>): PageInstance<D> {
  const instance = {} as Record<string, unknown>;
  for (const key of Object.keys(definition)) {
    if (key !== 'data') instance[key] = copy(definition[key]);
  }
  instance.data = copy(definition.data ?? {});
  instance.options = { ...query };
  instance.setData = (data: Record<string, unknown>, callback?: () => void): void => {
    if (data === null || typeof data !== 'object') throw new TypeError('[wx-socket-manager] setData: needs an object');
    for (const key of Object.keys(data)) setPath(instance.data as Record<string, unknown>, key, copy(data[key]));
    if (typeof callback === 'function') void Promise.resolve().then(callback);
  };
  instance.selectComponent = (selector: string): unknown => {
    const value = components[selector];
    if (value === undefined) return null;
    return isRendered(value) ? value.instance : value;
  };
  return instance as PageInstance<D>;
}

const DATA_PATH = /^[^.[\]]+(?:\.[^.[\]]+|\[\d+\])*$/;

/** `'list[0].x'` → `['list', 0, 'x']`. */
function parsePath(key: string): Array<string | number> {
  if (!DATA_PATH.test(key)) {
    throw new TypeError(`[wx-socket-manager] setData: key ${JSON.stringify(key)} is not a data path like "a.b" or "list[0].x"`);
  }
  return Array.from(key.matchAll(/([^.[\]]+)|\[(\d+)\]/g), (m) => (m[1] !== undefined ? m[1] : Number(m[2])));
}

function setPath(root: Record<string, unknown>, key: string, value: unknown): void {
  const parts = parsePath(key);
  let node: Record<string | number, unknown> = root;
  for (let i = 0; i < parts.length - 1; i++) {
    const part = parts[i]!;
    const wantArray = typeof parts[i + 1] === 'number';
    const next = node[part];
    if (next === null || typeof next !== 'object' || (wantArray && !Array.isArray(next))) {
      node[part] = wantArray ? [] : {};
    }
    node = node[part] as Record<string | number, unknown>;
  }
  node[parts[parts.length - 1]!] = value;
}

/** Plain objects and arrays are copied deeply; everything else (functions, class instances) is shared. */
function copy<T>(value: T): T {
  if (Array.isArray(value)) return value.map(copy) as unknown as T;
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) out[key] = copy((value as Record<string, unknown>)[key]);
    return out as T;
  }
  return value;
}

interface Rendered {
  instance: unknown;
  detach(): void;
}

function isRendered(value: unknown): value is Rendered {
  return value !== null && typeof value === 'object' && 'instance' in value && typeof (value as Rendered).detach === 'function';
}
