"""Printed outputs made in the server: signature sheets, attendance summaries and certificates.

PDFs are drawn with fpdf2 and the DejaVu fonts embedded here (``fonts/``, with their licence),
so nothing depends on the system's fonts; spreadsheets are written with openpyxl; the QR code
of a certificate is drawn from segno's matrix. Every word comes from the catalogue, in the
reader's (or the learner's) language. These modules only render what the application layer
read and authorised: they read nothing themselves.
"""
