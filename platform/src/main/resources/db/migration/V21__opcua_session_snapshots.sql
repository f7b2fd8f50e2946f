-- Several nodes (SPEC 2): the node that runs a connector's session writes what the API shows of it
-- (status, the server certificate it was shown) into the connector's row at each ownership check, so
-- that every node answers GET .../status and .../server-certificate, and trusts a certificate, alike.
ALTER TABLE opcua_connectors
  ADD COLUMN session_snapshot    jsonb,
  ADD COLUMN session_snapshot_at timestamptz;
