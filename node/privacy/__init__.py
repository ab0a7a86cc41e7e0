"""The de-identification guard on posting: every case and reply is scanned before it is
stored or shared (the detector itself is the self-contained library in node/deid)."""
