import { Link, paths } from '../../app/router';
import { isAdmin, useSession } from '../auth/session';
import { KeysSettings } from './KeysSettings';
import { MembersSettings } from './MembersSettings';
import { PriceSettings } from './PriceSettings';
import { PrivacySettingsForm } from './PrivacySettingsForm';
import { RetentionSettings } from './RetentionSettings';
import { WebhookSettings } from './WebhookSettings';

const SECTIONS = [
  { id: 'privacy', label: 'Privacy rules' },
  { id: 'retention', label: 'Retention' },
  { id: 'prices', label: 'Model prices' },
  { id: 'members', label: 'Members' },
  { id: 'keys', label: 'API keys' },
  { id: 'webhook', label: 'Regression webhook' },
] as const;

export function SettingsPage({ section }: { section: string }) {
  const { state } = useSession();
  if (!isAdmin(state)) {
    return (
      <div className="page">
        <h1>Settings</h1>
        <p>Only workspace owners and admins can change settings. Ask one of them for access.</p>
      </div>
    );
  }
  return (
    <div className="page settings-page">
      <h1>Settings</h1>
      <div className="settings-layout">
        <nav className="side-nav" aria-label="Settings">
          {SECTIONS.map((s) => (
            <Link key={s.id} to={paths.settings(s.id)} aria-current={section === s.id ? 'page' : undefined}>
              {s.label}
            </Link>
          ))}
        </nav>
        <div className="settings-body">
          {section === 'privacy' && <PrivacySettingsForm />}
          {section === 'retention' && <RetentionSettings />}
          {section === 'prices' && <PriceSettings />}
          {section === 'members' && <MembersSettings />}
          {section === 'keys' && <KeysSettings />}
          {section === 'webhook' && <WebhookSettings />}
          {!SECTIONS.some((s) => s.id === section) && <p>No such settings page.</p>}
        </div>
      </div>
    </div>
  );
}
