"""Survey waves and their invitations."""
