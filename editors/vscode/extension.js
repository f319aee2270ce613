// Starts `pgsieve lsp` for SQL files and Alembic revisions (Python files under a versions/
// directory); pgsieve lints each in its directory's context and does the rest (docs/editors.md).
const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');

let client;

function activate() {
  const command = vscode.workspace.getConfiguration('pgsieve').get('path') || 'pgsieve';
  client = new LanguageClient('pgsieve', 'pgsieve',
    { command, args: ['lsp'], transport: TransportKind.stdio },
    {
      documentSelector: [
        { language: 'sql' },
        { scheme: 'file', language: 'python', pattern: '**/versions/**/*.py' },
      ],
    });
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
