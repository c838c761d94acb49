"""The résumé experience: a business portrait and a cover letter to a company matched to the
visitor's MBTI type, written as the visitor watches (issue 17).

traits (the 16 types) → matching (the company library, full-text search) → letters (the
LetterWriter backends and their streaming, with the offline fallback) → writing (the job's
letter stage, pushed as it is written) → pdf (the one-page résumé).
"""
