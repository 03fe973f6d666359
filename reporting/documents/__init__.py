"""The committee report as DOCX, PDF and XLSX, all drawn from one frozen set of figures."""
