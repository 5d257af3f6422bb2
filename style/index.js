import './base.css';
import './experiments.css';
import './dashboard-table.css';
import './dashboard.css';
