"""Cards in other forms: pasted text, Markdown, HTML, dataset rows, .docx, web pages."""
