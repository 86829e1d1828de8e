"""The DPO's toolkit: rights requests, subject-access export, erasure with signed receipts,
restore checks, retention and the record of processing.

Every action is an async function taking an ``ApplicationContext`` (its clock is the time
recorded) and an ``Actor``, who must hold ``Role.DPO`` (``NotAuthorisedError`` otherwise).
Erasure also needs ``ErasureTools`` (the receipt signer and the ledger file), built once at
start from the settings and the master key. See the README's *GDPR* section.
"""
