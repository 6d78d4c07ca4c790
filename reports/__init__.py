"""Pure rendering: HTML with charts, Markdown, Jira ADF and wiki, Adaptive Cards, e-mail."""
