/**
 * The jest preset's setup file (`preset: 'wx-socket-manager'`): a fake wx is in the global `wx`
 * before a test file's imports run, so a module that builds its manager at import time
 * (`utils/socket`) can be imported at the top of a test. Each test's own
 * `installFakeWx(fake)` then takes over: the installed functions forward to the latest fake.
 */
import { createFakeWx, installFakeWx } from './index';

installFakeWx(createFakeWx());
