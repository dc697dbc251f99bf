/** End-to-end tests drive whole workflows through the local runtime: each may take minutes. */
import { jest } from '@jest/globals';

jest.setTimeout(300_000);
