"""The identity-matching engine: is this the same person as that one, how sure, and why.

Pure Python, no Django (the import contract forbids it), so search, the monthly list import
and the cross-referencing job share it. Offenders' `records` module is the one adapter from
a nominal to the engine's `PersonRecord`.

- `records`: `PersonRecord` (one agency's record of a person) and the scorer's results;
- `names`: `normalise_name`, `name_tokens`, `phonetic_key`: comparable forms of names as
  typed by any agency, and `name_variants`: nicknames and spelling or language variants
  (Bill/William, Mohammed/Muhammad, Piotr/Peter), both ways;
- `keys`: `match_keys`, `record_match_keys`: short blocking keys to store in a
  PostgreSQL array column (GIN-indexed) and to group on, so candidates are found without
  comparing every pair; `batch_match_keys`, `record_batch_match_keys`: narrower ones from the
  same sounds for the batch job, which compares every record with every other;
- `compare`: the level at which two names or dates of birth agree, and each level's weight;
- `scoring`: `score(a, b)`: identifier rules, then a Fellegi-Sunter sum of per-field weights
  turned into a probability, with a plain-English line for every field;
- `blocking`: which pairs the batch job compares, with keys that need no date of birth and
  a bound on very common names;
- `linkage`: the batch job's estimation (EM) and scoring of candidate pairs, and grouping
  of its matches into people;
- `clusters`: grouping matched records so that a chain of matches never joins two people;
- `identifiers`: the check digits and formats of PNC IDs, CRO numbers, CRNs and the rest.

The weights are log2(m/u) for each level of agreement, where m is the chance that two records
of the same person agree at that level and u the chance that two different people do. They
are set from the data-quality rates seen in multi-agency offender data and from this
population's make-up (see the comments by each value), not fitted; when they are re-estimated
(for example by expectation-maximisation on confirmed pairs) MODEL_VERSION changes, so stored
scores can say which model made them.
"""
