// The preview's search and keys against a mocked IPC: the query sent as typed, Graph's cap
// said, a search across folders followed and stopped and gone on with, the field at fault
// marked, up/down and Enter through the list, `/` to search and Esc back to the folder.
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { emit } from '@tauri-apps/api/event';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Folder, MessageSummary, SearchPage, SearchQuery } from './bindings';
import PreviewScreen from './PreviewScreen.svelte';

afterEach(() => clearMocks());

const folder = (id: string, path: string, well_known: string | null = null): Folder => ({
  id,
  name: path.split('/').pop() ?? path,
  path,
  parent: null,
  total: 3,
  unread: 0,
  well_known,
  hidden: false,
  children: [],
});
const folders = [folder('INBOX', 'Inbox', 'inbox'), folder('Archive', 'Archive')];
const msg = (id: string, subject: string): MessageSummary => ({
  id,
  from: 'Anne Person <aperson@example.com>',
  subject,
  received: '2026-11-21T09:30:00Z',
  size: 2048,
  has_attachments: false,
  is_read: true,
});
const page = (hits: [string, string, string][], over: Partial<SearchPage> = {}): SearchPage => ({
  messages: hits.map(([f, id, s]) => ({ ...msg(id, s), folder: f })),
  next: null,
  round_trips: 1,
  capped: null,
  stopped: false,
  folders_searched: 1,
  ...over,
});

type Call = { cmd: string; args: Record<string, unknown> };

/** The preview's IPC; `searched` answers each `preview_search`. Records each call. */
function mockPreview(searched: (q: SearchQuery, cursor: string | null) => SearchPage | Promise<SearchPage>) {
  const calls: Call[] = [];
  mockIPC(
    (cmd, args) => {
      const a = args as Record<string, unknown>;
      calls.push({ cmd, args: a });
      switch (cmd) {
        case 'mailbox_folders':
          return folders;
        case 'preview_page':
          return { messages: [msg('1', 'First'), msg('2', 'Second'), msg('3', 'Third')], next: null, round_trips: 1 };
        case 'preview_search':
          return searched(a.query as SearchQuery, a.cursor as string | null);
        case 'preview_search_stop':
          return null;
        case 'preview_message':
          return { headers: [['Subject', 'Second']], date_raw: null, text: 'hi', html_sanitized: null, remote_images: 0, remote_image_failures: [], attachments: [], raw_size: 10, notices: [] };
        default:
          throw new Error(cmd);
      }
    },
    { shouldMockEvents: true },
  );
  return calls;
}

const show = () => render(PreviewScreen, { profile: 'support@contoso.test', onclose: vi.fn(), onreauth: vi.fn() });

describe('PreviewScreen', () => {
  it('searches the open folder with the filters as typed, and says when Graph capped the result', async () => {
    const calls = mockPreview(() => page([['INBOX', '7', 'Invoice 4711']], { capped: 1000 }));
    show();
    await screen.findByText('Third');
    await fireEvent.input(screen.getByLabelText('Search words'), { target: { value: 'invoice' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Filters' }));
    await fireEvent.input(screen.getByLabelText('From'), { target: { value: 'aperson' } });
    await fireEvent.click(screen.getByLabelText('Has attachments'));
    await fireEvent.click(screen.getByRole('button', { name: 'Search' }));
    const result = await screen.findByTestId('search-result');
    expect(result.textContent).toContain("1 message found in Inbox: the first 1,000 matches, Microsoft's limit");
    expect(screen.getByText('Invoice 4711')).toBeTruthy();
    expect(screen.queryByText('Third')).toBeNull();
    expect(calls.find((c) => c.cmd === 'preview_search')?.args).toMatchObject({
      profile: 'support@contoso.test',
      cursor: null,
      query: { text: 'invoice', from: 'aperson', subject: null, has_attachments: true, scope: { kind: 'folder', folder: 'INBOX' } },
    });
  });

  it('follows a search across folders, stops it, and goes on from where it stopped', async () => {
    let answer: (p: SearchPage) => void = () => {};
    const calls = mockPreview((_, cursor) =>
      cursor === null ? new Promise((resolve) => (answer = resolve)) : page([['Archive', '9', 'Older one']]),
    );
    show();
    await screen.findByText('Third');
    await fireEvent.input(screen.getByLabelText('Search words'), { target: { value: 'perl' } });
    await fireEvent.change(screen.getByLabelText('Where to search'), { target: { value: 'all' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Search' }));
    await waitFor(() => expect(calls.some((c) => c.cmd === 'preview_search')).toBe(true));
    await emit('search-progress', { folder: 'INBOX', folders_done: 1, folders_total: 2, found: 1 });
    expect((await screen.findByTestId('search-progress')).textContent).toBe('Searching Inbox… 1 of 2 folders, 1 found');

    await fireEvent.click(screen.getByRole('button', { name: 'Stop' }));
    expect(calls.some((c) => c.cmd === 'preview_search_stop')).toBe(true);
    answer(page([['INBOX', '5', 'Limiting Perl']], { stopped: true, next: 'after-inbox' }));
    expect((await screen.findByTestId('search-result')).textContent).toBe('1 message found in all folders before the search was stopped.');
    expect(screen.getByText('in Inbox')).toBeTruthy();

    await fireEvent.click(screen.getByRole('button', { name: 'Go on searching' }));
    await screen.findByText('Older one');
    expect(screen.getByText('in Archive')).toBeTruthy();
    expect(calls.filter((c) => c.cmd === 'preview_search').map((c) => c.args.cursor)).toEqual([null, 'after-inbox']);
    expect((calls.at(-1)?.args.query as SearchQuery).scope).toEqual({ kind: 'all_folders' });
  });

  it('marks the field the core refused and opens the filters to show it', async () => {
    mockPreview(() =>
      Promise.reject({ code: 'search.date', title: 'Not a date', detail: '', fix: 'Type the day as year-month-day.', docs_url: null, field: 'Since' }),
    );
    show();
    await screen.findByText('Third');
    await fireEvent.input(screen.getByLabelText('Search words'), { target: { value: 'x' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Search' }));
    await screen.findByText('Not a date');
    expect(screen.getByLabelText('Since').getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByLabelText('From').getAttribute('aria-invalid')).toBeNull();
    expect(document.getElementById('search-filter-fields')?.hidden).toBe(false);
  });

  it('moves through the list with the arrows, opens with Enter, searches on / and goes back on Esc', async () => {
    const calls = mockPreview(() => page([['INBOX', '2', 'Second']]));
    show();
    const first = (await screen.findByText('First')).closest('button') as HTMLButtonElement;
    first.focus();
    await fireEvent.keyDown(first, { key: 'ArrowDown' });
    const second = screen.getByText('Second').closest('button') as HTMLButtonElement;
    expect(document.activeElement).toBe(second);
    expect(second.tabIndex).toBe(0);
    expect(first.tabIndex).toBe(-1);
    await fireEvent.keyDown(second, { key: 'End' });
    expect(document.activeElement).toBe(screen.getByText('Third').closest('button'));
    await fireEvent.keyDown(document.activeElement as Element, { key: 'ArrowUp' });
    // Enter on a button clicks it.
    await fireEvent.click(document.activeElement as Element);
    await screen.findByText('hi');
    expect(calls.find((c) => c.cmd === 'preview_message')?.args).toMatchObject({ folder: 'INBOX', id: '2' });

    await fireEvent.keyDown(document.body, { key: '/' });
    const input = screen.getByLabelText('Search words');
    expect(document.activeElement).toBe(input);
    await fireEvent.input(input, { target: { value: 'second' } });
    await fireEvent.submit(input.closest('form') as HTMLFormElement);
    await screen.findByTestId('search-result');
    await fireEvent.keyDown(input, { key: 'Escape' });
    await screen.findByText('Third');
    expect(screen.queryByTestId('search-status')).toBeNull();
    expect((input as HTMLInputElement).value).toBe('');
    expect(calls.filter((c) => c.cmd === 'preview_page')).toHaveLength(2);
  });

  it('remembers a resized pane and a hidden message pane', async () => {
    localStorage.clear();
    mockPreview(() => page([]));
    const { unmount } = show();
    await screen.findByText('Third');
    const bar = screen.getByRole('separator', { name: 'Width of the folder pane' });
    const before = Number(bar.getAttribute('aria-valuenow'));
    await fireEvent.keyDown(bar, { key: 'ArrowRight' });
    expect(Number(bar.getAttribute('aria-valuenow'))).toBe(before + 16);
    expect(JSON.parse(localStorage.getItem('preview.layout') ?? '{}').folders).toBe(before + 16);
    await fireEvent.click(screen.getByRole('button', { name: 'Hide the message pane' }));
    expect(document.getElementById('message-pane')).toBeNull();
    unmount();
    show();
    expect(await screen.findByRole('button', { name: 'Show the message pane' })).toBeTruthy();
    expect(screen.getByRole('separator', { name: 'Width of the folder pane' }).getAttribute('aria-valuenow')).toBe(String(before + 16));
    localStorage.clear();
  });
});
