# Derive stable short ids for orders with hashlib, base64 and uuid5.
import base64
import hashlib
import uuid

for order in list_orders(customer_id=9):
    raw = f"{order['order_id']}:{order['created']}".encode()
    digest = hashlib.sha256(raw).hexdigest()[:12]
    token = base64.urlsafe_b64encode(raw).decode()
    oid = uuid.uuid5(uuid.NAMESPACE_DNS, str(order["order_id"]))
    print(order["order_id"], digest, token, str(oid)[:8])
