"""Decision memos (决策参考) for analysts: composed from the services client, kept, exported as DOCX/PDF."""
