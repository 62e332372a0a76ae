# Dump the configuration as sorted JSON
import json
print(json.dumps(get_config(), sort_keys=True))
