'use strict';
// loupe's search page. The query, the filters and the article shown live in the URL, so a
// search can be shared and Back works. Text from the corpus is only ever set as text.

const $ = (id) => document.getElementById(id);
const PAGE = 10;
let shown = 0;
let fromResults = false;

const current = () => new URLSearchParams(location.search);

// `text` with <mark> around the UTF-8 byte ranges `ranges`.
function highlighted(text, ranges) {
  const bytes = new TextEncoder().encode(text);
  const decoder = new TextDecoder();
  const part = (from, to) => decoder.decode(bytes.subarray(from, to));
  const out = document.createDocumentFragment();
  let at = 0;
  for (const [start, end] of [...ranges].sort((a, b) => a[0] - b[0])) {
    if (start < at || end > bytes.length || start >= end) continue;
    out.append(part(at, start));
    const mark = document.createElement('mark');
    mark.textContent = part(start, end);
    out.append(mark);
    at = end;
  }
  out.append(part(at, bytes.length));
  return out;
}

function showError(message) {
  $('error').textContent = message;
  $('error').hidden = false;
}

async function api(path) {
  const response = await fetch(path);
  let body;
  try {
    body = await response.json();
  } catch (_) {
    throw new Error(`the server answered ${response.status}`);
  }
  if (!response.ok) throw new Error(body.error || `the server answered ${response.status}`);
  return body;
}

function pageUrl(changes) {
  const p = current();
  for (const [key, value] of Object.entries(changes)) {
    if (value === null || value === '') p.delete(key); else p.set(key, value);
  }
  const query = p.toString();
  return query ? `/?${query}` : '/';
}

function go(url) {
  history.pushState(null, '', url);
  route();
}

function view(name) {
  const article = name === 'article';
  $('article').hidden = !article;
  $('results').hidden = article;
  $('status').hidden = article;
  if (article) $('more').hidden = true;
}

function hitItem(hit, q) {
  const item = document.createElement('li');
  item.className = 'hit';
  const heading = document.createElement('h2');
  const link = document.createElement('a');
  link.href = pageUrl({ doc: hit.path, at: String(hit.byte_start), q });
  link.append(hit.title ? highlighted(hit.title, hit.title_highlights) : hit.path);
  link.addEventListener('click', (event) => {
    event.preventDefault();
    fromResults = true;
    go(link.getAttribute('href'));
  });
  heading.append(link);
  const meta = document.createElement('div');
  meta.className = 'meta';
  const parts = [];
  if (hit.date) parts.push(hit.date);
  parts.push(`${hit.path}:${hit.line}`);
  if (hit.lang && hit.lang !== 'en' && hit.lang !== 'und') parts.push(hit.lang);
  if (hit.identical.length) parts.push(`+${hit.identical.length} identical`);
  const staleNotes = {deleted: 'file deleted since indexing', unreadable: 'file cannot be read', changed: 'file changed since indexing'};
  if (hit.stale) parts.push(staleNotes[hit.stale] || 'file changed since indexing');
  meta.textContent = parts.join(' · ');
  const snippet = document.createElement('p');
  snippet.className = 'snippet';
  if (hit.lang && hit.lang !== 'und') snippet.lang = hit.lang;
  snippet.append(highlighted(hit.snippet, hit.highlights));
  item.append(heading, meta, snippet);
  return item;
}

async function search(more) {
  view('results');
  const p = current();
  const q = p.get('q') || '';
  $('error').hidden = true;
  if (!more) {
    $('results').replaceChildren();
    $('status').textContent = '';
    $('more').hidden = true;
    shown = 0;
  }
  if (!q.trim()) return;
  const request = new URLSearchParams({ q, limit: String(PAGE), offset: String(more ? shown : 0) });
  for (const key of ['since', 'until', 'sort']) if (p.get(key)) request.set(key, p.get(key));
  let results;
  try {
    results = await api(`/api/search?${request}`);
  } catch (error) {
    showError(error.message);
    return;
  }
  for (const hit of results.hits) $('results').append(hitItem(hit, q));
  shown += results.hits.length;
  const status = [shown
    ? `${results.total_hits} passages in ${results.total_documents} documents`
    : `no passage matches ${q}`];
  status.push(...results.warnings);
  $('status').replaceChildren(status.join(' — '));
  for (const s of results.suggestions) {
    const link = document.createElement('a');
    link.href = pageUrl({ q: s.query, doc: null, at: null });
    link.textContent = s.query;
    link.addEventListener('click', (event) => {
      event.preventDefault();
      $('q').value = s.query;
      go(link.getAttribute('href'));
    });
    $('status').append(' — did you mean ', link, '?');
  }
  $('more').hidden = results.hits.length < PAGE;
}

async function article() {
  view('article');
  const p = current();
  const q = p.get('q') || '';
  const at = Number(p.get('at') || '0');
  $('error').hidden = true;
  const request = new URLSearchParams({ path: p.get('doc') });
  if (q.trim()) request.set('q', q);
  let doc;
  try {
    doc = await api(`/api/doc?${request}`);
  } catch (error) {
    $('article').hidden = true;
    showError(error.message);
    return;
  }
  $('article-title').replaceChildren(doc.title || doc.path);
  $('article-meta').textContent = [doc.date, doc.path, doc.stale && 'file changed since indexing']
    .filter(Boolean).join(' · ');
  const bytes = new TextEncoder().encode(doc.text);
  const decoder = new TextDecoder();
  const text = $('article-text');
  text.replaceChildren();
  let focus = null;
  for (const passage of doc.passages) {
    const paragraph = document.createElement('p');
    const local = doc.highlights
      .filter(([s, e]) => s >= passage.byte_start && e <= passage.byte_end)
      .map(([s, e]) => [s - passage.byte_start, e - passage.byte_start]);
    paragraph.append(highlighted(decoder.decode(bytes.subarray(passage.byte_start, passage.byte_end)), local));
    if (passage.byte_start <= at && at < passage.byte_end) {
      paragraph.className = 'current';
      focus = paragraph;
    }
    text.append(paragraph);
  }
  if (focus) focus.scrollIntoView({ block: 'center' });
}

function route() {
  const p = current();
  $('q').value = p.get('q') || '';
  $('since').value = p.get('since') || '';
  $('until').value = p.get('until') || '';
  $('sort').value = p.get('sort') || 'relevance';
  if (p.get('doc')) article(); else search(false);
}

$('search').addEventListener('submit', (event) => {
  event.preventDefault();
  go(pageUrl({
    q: $('q').value, since: $('since').value, until: $('until').value,
    sort: $('sort').value === 'relevance' ? null : $('sort').value, doc: null, at: null,
  }));
});
for (const id of ['since', 'until', 'sort']) {
  $(id).addEventListener('change', () => $('search').requestSubmit());
}
$('more').addEventListener('click', () => search(true));
$('back').addEventListener('click', (event) => {
  event.preventDefault();
  if (fromResults) {
    fromResults = false;
    history.back();
  } else {
    go(pageUrl({ doc: null, at: null }));
  }
});
document.addEventListener('keydown', (event) => {
  const typing = ['INPUT', 'TEXTAREA', 'SELECT'].includes(document.activeElement.tagName);
  if (event.key === '/' && !typing) {
    event.preventDefault();
    $('q').focus();
  }
});
window.addEventListener('popstate', route);
route();
