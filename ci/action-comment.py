#!/usr/bin/env python3
"""The GitHub action's sticky pull-request comment (action.yml, `comment: true`): posts pgsieve's
markdown report as one comment on the pull request, found again on the next run by a hidden
marker and updated in place, so a pull request has one pgsieve comment however often it is
pushed to.

  action-comment.py REPORT.md

Environment (set by GitHub's runner and the action): GITHUB_EVENT_PATH (the pull request's
number), GITHUB_REPOSITORY, GITHUB_API_URL, GITHUB_TOKEN, GITHUB_SERVER_URL and GITHUB_RUN_ID
(the link to the full report). Only the standard library: the runner's python3 has nothing else.

GitHub refuses a comment body over 65,536 characters ("Body is too long (maximum is 65536
characters)", the REST API's 422 answer): a longer report is cut after the last finding that
fits, with a line saying how many findings were left out and where the full report is (the job
summary and the pgsieve-report artifact).
"""
import json
import os
import sys
import urllib.error
import urllib.request

MARKER = '<!-- pgsieve: sticky comment, updated in place by the pgsieve action -->'
LIMIT = 65536
# room for the marker and the note that says what was cut
RESERVE = 1024


def fit(report, limit=LIMIT):
    """The report, whole if it fits in limit characters with the marker, else cut after the
    last whole finding (a top-level "- " item and its indented lines) with a note."""
    if len(report) + len(MARKER) + 2 <= limit:
        return report, 0
    lines = report.split('\n')
    kept, size, left = [], 0, 0
    budget = limit - RESERVE
    cut = False
    i = 0
    while i < len(lines):
        # a finding is its "- " line and the indented lines below it
        j = i + 1
        if lines[i].startswith('- '):
            while j < len(lines) and lines[j].startswith('  '):
                j += 1
        block = lines[i:j]
        block_size = sum(len(b) + 1 for b in block)
        if cut or size + block_size > budget:
            cut = True
            left += lines[i].startswith('- ')
        else:
            kept.extend(block)
            size += block_size
        i = j
    return '\n'.join(kept).rstrip('\n'), left


def api(method, url, token, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers={
        'Authorization': 'Bearer ' + token,
        'Accept': 'application/vnd.github+json',
        'X-GitHub-Api-Version': '2022-11-28',
        'Content-Type': 'application/json',
        'User-Agent': 'pgsieve-action',
    })
    with urllib.request.urlopen(req, timeout=60) as r:
        text = r.read().decode('utf-8')
        return json.loads(text) if text else None


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    with open(sys.argv[1], encoding='utf-8') as f:
        report = f.read()
    with open(os.environ['GITHUB_EVENT_PATH'], encoding='utf-8') as f:
        event = json.load(f)
    number = (event.get('pull_request') or {}).get('number')
    if not number:
        print('pgsieve: not a pull request: no comment')
        return 0
    token = os.environ.get('GITHUB_TOKEN', '')
    if not token:
        print('pgsieve: no github-token: cannot comment', file=sys.stderr)
        return 2
    api_url = os.environ.get('GITHUB_API_URL', 'https://api.github.com').rstrip('/')
    repo = os.environ['GITHUB_REPOSITORY']
    run_url = '%s/%s/actions/runs/%s' % (os.environ.get('GITHUB_SERVER_URL', 'https://github.com').rstrip('/'),
                                         repo, os.environ.get('GITHUB_RUN_ID', ''))
    body, left = fit(report)
    if left:
        body += ('\n\n**%d finding%s left out** to fit GitHub\'s %d-character comment limit: the full report is '
                 'in [the job summary](%s) and the `pgsieve-report` artifact.'
                 % (left, '' if left == 1 else 's', LIMIT, run_url))
    body = MARKER + '\n' + body

    comments_url = '%s/repos/%s/issues/%d/comments' % (api_url, repo, number)
    existing = None
    page = 1
    try:
        while existing is None:
            batch = api('GET', '%s?per_page=100&page=%d' % (comments_url, page), token)
            if not batch:
                break
            existing = next((c for c in batch if MARKER in (c.get('body') or '')), None)
            page += 1
        if existing:
            api('PATCH', '%s/repos/%s/issues/comments/%d' % (api_url, repo, existing['id']), token, {'body': body})
            print('pgsieve: updated comment %d on pull request #%d' % (existing['id'], number))
        else:
            c = api('POST', comments_url, token, {'body': body})
            print('pgsieve: commented on pull request #%d (%s)' % (number, (c or {}).get('html_url', '')))
    except urllib.error.HTTPError as e:
        detail = e.read().decode('utf-8', 'replace')[:500]
        hint = ' (the job needs `permissions: pull-requests: write`)' if e.code in (401, 403, 404) else ''
        print('pgsieve: the pull request comment failed: HTTP %d %s%s' % (e.code, detail, hint), file=sys.stderr)
        return 2
    except urllib.error.URLError as e:
        print('pgsieve: the pull request comment failed: %s' % e.reason, file=sys.stderr)
        return 2
    return 0


if __name__ == '__main__':
    sys.exit(main())
